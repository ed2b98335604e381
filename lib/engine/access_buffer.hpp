// AccessBuffer: hit counts and last-access times gathered in memory between flushes, so that
// a get never writes to disk.
//
// Each pending record names the generation (creation time) of the entry it belongs to; a
// flush applies it only if the stored entry is still that generation, so hits on an entry
// that was overwritten or erased in the meantime are dropped rather than credited to its
// successor.
//
// Thread-safety: all methods may be called concurrently (sharded mutexes).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
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

 private:
  struct TransparentHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  using Map = std::unordered_map<std::string, PendingAccess, TransparentHash, std::equal_to<>>;
  struct Shard {
    std::mutex mutex;
    Map pending;
  };
  static constexpr std::size_t kShards = 16;

  Shard& shard_of(std::string_view id) {
    return shards_[std::hash<std::string_view>{}(id) % kShards];
  }

  std::array<Shard, kShards> shards_;
};

}  // namespace portico::cache::internal
