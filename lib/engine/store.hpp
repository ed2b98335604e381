// Store: the RocksDB adapter's engine. Every operation that changes several column families
// is one atomic WriteBatch, applied while holding the KeyLocks stripes of the entries it
// rewrites, so the indexes can never disagree with the data.
//
// Counting rules (they keep total_entries exact across crashes, compactions and restarts):
// - the entry count in `meta` changes in the same batch as the data: +1 when a set creates an
//   entry, -1 when an erase or cleanup removes one;
// - the compaction filter may drop an expired entry without touching the count; its ledger
//   entry in `expiry` survives, and cleanup_expired() settles the count from the ledger.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <portico/cache/adapter.hpp>
#include <portico/cache/rocksdb_adapter.hpp>

#include "engine/access_buffer.hpp"
#include "engine/database.hpp"
#include "engine/encoding.hpp"
#include "engine/key_locks.hpp"

namespace portico::cache::internal {

class Store {
 public:
  Store(std::unique_ptr<Database> database, RocksDBOptions options);

  std::optional<CacheEntry> get(const CacheKey& key);
  std::vector<std::optional<CacheEntry>> get_many(const std::vector<CacheKey>& keys);
  bool exists(const CacheKey& key);
  void set(const CacheKey& key, const Value& value, std::optional<Ttl> ttl);
  void set_many(std::vector<CacheItem> items);
  std::size_t erase_many(const std::vector<CacheKey>& keys);
  std::size_t erase_matching(const KeyPattern& pattern);
  std::size_t erase_group(Family family, const std::vector<std::string>& groups);
  std::size_t cleanup_expired();
  void clear();
  CacheStats stats();
  void flush();
  void compact();

  Database& database() { return *db_; }

 private:
  // One entry an erase pass considers. `generation`, when set, is the creation time an index
  // entry recorded: the stored entry is erased only if it is still that generation, and
  // otherwise `index_key` (in `index_family`) is a stale index entry and is deleted alone.
  // `ledger`: the target comes from the expiry ledger, so a stale target still settles one
  // count (the filter dropped that entry without counting it).
  struct EraseTarget {
    std::string id;
    std::optional<std::int64_t> generation{};
    std::string index_key{};
    Family index_family = Family::data;
    bool ledger = false;
  };
  struct EraseResult {
    std::size_t unexpired = 0;  // live entries removed
    std::size_t removed = 0;    // entries removed or settled, expired ones included
  };

  EraseResult erase_targets(std::vector<EraseTarget> targets);
  EraseResult erase_chunk(std::vector<EraseTarget>& chunk, std::int64_t now_ns);
  // Adds one entry's record and index entries to `batch`, replacing the old record's
  // (`old_status` says whether there was one); counts a new entry in `created`.
  void add_set(rocksdb::WriteBatch& batch, std::string_view id, const CacheKey& key,
               const Value& value, std::optional<Ttl> ttl, const rocksdb::Status& old_status,
               const rocksdb::PinnableSlice& old, std::int64_t now_ns, std::int64_t& created);
  void add_index_puts(rocksdb::WriteBatch& batch, std::string_view id, const CacheKey& key,
                      const RecordHeader& header);
  void add_index_deletes(rocksdb::WriteBatch& batch, std::string_view id, const CacheKey& key,
                         const RecordHeader& header);
  std::optional<CacheEntry> read_hit(const CacheKey& key, std::string_view id,
                                     std::string_view bytes, std::int64_t now_ns);
  void count_miss() { misses_.fetch_add(1, std::memory_order_relaxed); }
  void write(rocksdb::WriteBatch& batch, bool durable);
  // Adds the pending access data of `group` (ids in `stripes`, see KeyLocks) to the records.
  void write_access(const std::vector<const std::pair<std::string, PendingAccess>*>& group,
                    const std::vector<std::size_t>& stripes);
  void require_writable() const;
  std::int64_t now_ns() const;

  std::unique_ptr<Database> db_;
  RocksDBOptions options_;
  KeyLocks locks_;
  AccessBuffer access_;
  std::mutex flush_mutex_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
  std::uint64_t hits_flushed_ = 0;    // guarded by flush_mutex_
  std::uint64_t misses_flushed_ = 0;  // guarded by flush_mutex_
};

}  // namespace portico::cache::internal
