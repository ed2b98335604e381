// Store: the RocksDB adapter's engine. Every operation that changes several column families
// is one atomic WriteBatch, applied while holding the KeyLocks stripes of the entries it
// rewrites, so the indexes can never disagree with the data.
//
// Its methods live in one file per concern: store.cpp (construction, index entries, the
// counted write), store_read.cpp, store_write.cpp (set, set_many, erase_many, clear),
// store_group_erase.cpp (tags, namespaces, patterns), store_maintenance.cpp (access flush,
// ledger settlement, purge, compaction) and store_stats.cpp. Which records are visible and
// counted is Visibility's to say (visibility.hpp).
//
// Counting rules (they keep total_entries exact across crashes, compactions and restarts):
// - the entry count in `meta` changes in the same batch as the data: +1 when a set creates an
//   entry, -1 when an erase or cleanup removes one;
// - an entry with an expiry is counted exactly while its ledger entry in `expiry` exists. The
//   compaction filter may drop an expired entry without touching the count: its ledger entry
//   survives. cleanup_expired() settles the ledger below `now` with one DeleteRange and
//   subtracts its size from the count, without reading or deleting the expired records: the
//   compaction filter drops those later, or the next set or erase of the key replaces them
//   (and, finding no ledger entry, knows the count no longer includes them).
// - the cleanup watermark, stored in `meta` in the same batch, is the highest bound settled so
//   far; an entry expiring below it reads as expired even if the clock goes back, so an entry
//   that reads as live is always counted and only expired ones need the ledger looked up. No
//   ledger entry expires below it (a set there writes none and counts nothing), so cleanups
//   start their scan at it.
// - erase_by_tags erases lazily (see TagEpochs): it records an epoch per tag and, in the same
//   batch, subtracts the entries it erases and deletes the ledger entries of the unexpired ones
//   among them. A record an epoch erases is counted only while it still has a ledger entry (it
//   had expired before the erase, and cleanup has not settled it yet). purge_erased() deletes
//   the erased records and their index entries later, changing no count.
// - every set takes a generation (its created_ns) above every epoch and every earlier
//   generation, so the order of sets and tag erases survives the clock going back.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <portico/cache/adapter.hpp>
#include <portico/cache/rocksdb_options.hpp>

#include "rocksdb/access_buffer.hpp"
#include "rocksdb/batch.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"
#include "rocksdb/key_locks.hpp"
#include "rocksdb/tag_epochs.hpp"
#include "rocksdb/visibility.hpp"

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
  // erase_by_tags: entries with any of `tags`, each counted once; writes no entry.
  std::size_t erase_tagged(const std::vector<std::string>& tags);
  // Deletes the records that tag epochs erased, with their index entries, and retires the
  // epochs; returns the records deleted.
  std::size_t purge_erased();
  std::size_t cleanup_expired();
  void clear();
  CacheStats stats();
  void flush();
  void compact();
  // Counts a failed maintenance chore; persisted with the next flush (meta key
  // kMetaMaintenanceFailures), shown by cache-inspect stats.
  void note_maintenance_failure() { maintenance_failures_.fetch_add(1, std::memory_order_relaxed); }
  std::uint64_t maintenance_failures() const {
    return maintenance_failures_.load(std::memory_order_relaxed);
  }

  Database& database() { return *db_; }

 private:
  // One entry an erase pass considers. `generation`, when set, is the creation time an index
  // entry recorded: the stored entry is erased only if it is still that generation, and
  // otherwise `index_key` (in `index_family`) is a stale index entry and is deleted alone.
  struct EraseTarget {
    std::string id;
    std::optional<std::int64_t> generation{};
    std::string index_key{};
    Family index_family = Family::data;
  };

  // An entry erase_by_tags found through a tags index entry.
  struct ErasedCandidate {
    std::string id;
    IndexValue index;
  };
  // Removes from `found` the entries that earlier epochs of other tags erased already.
  void drop_erased_by_other_tags(std::vector<ErasedCandidate>& found);

  // Entries rewritten per batch by the bulk operations: bounds lock hold times and batch sizes.
  static constexpr std::size_t kChunk = 512;
  // Ledger entries settled per batch by cleanup_expired(), which stops writers meanwhile.
  static constexpr std::size_t kSettleSlice = 8192;

  // Whether a record of the id in `index_key` with `header` has that key in `family`
  // (tags or namespaces).
  static bool indexes_under(const RecordHeader& header, Family family, std::string_view index_key);
  // Appends to `targets` the entries indexed under `group` in `family` (tags or namespaces)
  // whose generation is at most `max_generation`.
  void collect_group(Family family, std::string_view group, std::vector<EraseTarget>& targets,
                     std::int64_t max_generation = std::numeric_limits<std::int64_t>::max());
  // Both return the number of live (unexpired) entries erased.
  std::size_t erase_targets(std::vector<EraseTarget> targets);
  std::size_t erase_chunk(std::vector<EraseTarget>& chunk, std::int64_t now_ns);
  // Settles up to one slice of the ledger below `upper`; returns the entries settled.
  std::size_t settle_ledger_slice(const std::string& upper, std::string& resume, std::int64_t now_ns);
  // The created_ns of a record set now. REQUIRES: the entry's stripe (or the bulk lock) held.
  std::int64_t next_generation(std::int64_t now_ns);
  // Adds one entry's record and index entries to `batch`, replacing those of `old_record`
  // (the stored record, if any), and the change of the entry count to `count_delta`.
  void add_set(Batch& batch, std::string_view id, const CacheKey& key,
               const Value& value, std::optional<Ttl> ttl,
               std::optional<std::string_view> old_record, std::int64_t now_ns,
               std::int64_t& count_delta);
  void add_index_puts(Batch& batch, std::string_view id, const CacheKey& key,
                      const RecordHeader& header);
  void add_index_deletes(Batch& batch, std::string_view id, const CacheKey& key,
                         const RecordHeader& header);
  std::optional<CacheEntry> read_hit(const CacheKey& key, std::string_view id,
                                     std::string_view bytes, std::int64_t now_ns);
  void count_miss() { misses_.fetch_add(1, std::memory_order_relaxed); }
  void write(Batch& batch, bool durable);
  // Writes `batch` durably with the change of the entry count, in `meta` and in entry_count_.
  void write_counted(Batch& batch, std::int64_t count_delta);
  // Adds the pending access data of `group` (ids in `stripes`, see KeyLocks) to the records.
  void write_access(const std::vector<const std::pair<std::string, PendingAccess>*>& group,
                    const std::vector<std::size_t>& stripes);
  // The rewrites of `group`'s records with their pending access data added (entries since
  // replaced or erased are left out).
  Batch access_batch(
      const std::vector<const std::pair<std::string, PendingAccess>*>& group);
  void require_writable() const;
  std::int64_t now_ns() const;

  std::unique_ptr<Database> db_;
  RocksDBOptions options_;
  KeyLocks locks_;
  AccessBuffer access_;
  std::mutex flush_mutex_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
  // Epochs are raised and the watermark moved under the exclusive bulk lock.
  Visibility visibility_;
  std::atomic<std::int64_t> newest_generation_;  // the highest created_ns stored
  // The stored entry count as this instance's writes leave it. Reading the stored one merges
  // every count operand still in the memtable, one per set: tens of milliseconds after some
  // 10^5 sets.
  std::atomic<std::int64_t> entry_count_{0};
  std::atomic<std::uint64_t> maintenance_failures_{0};
  std::uint64_t hits_flushed_ = 0;    // guarded by flush_mutex_
  std::uint64_t failures_flushed_ = 0;  // guarded by flush_mutex_
  std::uint64_t misses_flushed_ = 0;  // guarded by flush_mutex_
};

}  // namespace portico::cache::internal
