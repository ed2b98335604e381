// AccessBuffer: hit counts and last-access times gathered in memory between flushes, so that
// a get never writes to disk.
//
// Each pending record names the generation (creation time) of the entry it belongs to; a
// flush applies it only if the stored entry is still that generation, so hits on an entry
// that was overwritten or erased in the meantime are dropped rather than credited to its
// successor.
//
// record_hit is on every get's path, so it allocates nothing per call: each shard is an
// open-addressing table whose ids live in one byte arena, and drain() swaps in a fresh table
// already sized for as many ids as the interval it took (allocated outside the lock), so a
// steady workload does not grow it again. An id is hashed once per call.
//
// Thread-safety: all methods may be called concurrently (one mutex per shard).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portico::cache::internal {

struct PendingAccess {
  std::int64_t created_ns = 0;  // generation
  std::uint64_t hits = 0;
  std::int64_t last_accessed_ns = 0;
};

class AccessBuffer {
 public:
  // Records one hit; returns the hits now pending for this generation (this one included).
  std::uint64_t record_hit(std::string_view id, std::int64_t created_ns, std::int64_t now_ns);
  // Forgets what is pending for `id` (it was overwritten or erased).
  void forget(std::string_view id);
  // Takes everything pending, leaving the buffer empty.
  std::vector<std::pair<std::string, PendingAccess>> drain();
  void clear();
  // Heap bytes held: bounded by the distinct ids hit since the last drain, not by the hits.
  std::size_t memory_bytes() const;

 private:
  // One shard's pending records: linear probing over a power-of-two slot array.
  class Table {
   public:
    Table() = default;
    // Room for `ids` ids of `id_bytes` bytes in all without growing.
    Table(std::size_t ids, std::size_t id_bytes);

    PendingAccess& find_or_add(std::string_view id, std::size_t hash);
    void erase(std::string_view id, std::size_t hash);
    // Appends the pending records to `out`.
    void take_into(std::vector<std::pair<std::string, PendingAccess>>& out) const;
    std::size_t size() const { return size_; }
    std::size_t id_bytes() const { return arena_.size(); }
    std::size_t memory_bytes() const {
      return slots_.capacity() * sizeof(Slot) + arena_.capacity();
    }

   private:
    enum class SlotState : std::uint8_t { empty, full, erased };
    struct Slot {
      std::size_t hash = 0;
      std::size_t offset = 0;  // of the id in arena_
      std::size_t length = 0;
      PendingAccess access;
      SlotState state = SlotState::empty;
    };

    Slot* find(std::string_view id, std::size_t hash);
    void grow();
    std::string_view id_of(const Slot& slot) const { return {arena_.data() + slot.offset, slot.length}; }

    std::vector<Slot> slots_;
    std::string arena_;
    std::size_t occupied_ = 0;  // full and erased slots: both lengthen probe sequences
    std::size_t size_ = 0;      // full slots
    std::size_t dead_bytes_ = 0;  // arena bytes of erased ids
  };

  struct Shard {
    mutable std::mutex mutex;
    Table table;
  };
  // The fresh table a drain puts in place of `shard`'s, sized like its current one.
  static Table fresh_table_for(Shard& shard);
  static constexpr std::size_t kShards = 16;

  static std::size_t hash_of(std::string_view id);
  // The table uses the low bits of the hash; the shard is chosen by the high ones.
  Shard& shard_of(std::size_t hash) { return shards_[(hash >> 56) % kShards]; }

  std::array<Shard, kShards> shards_;
};

}  // namespace portico::cache::internal
