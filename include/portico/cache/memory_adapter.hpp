// MemoryCacheAdapter: an in-process, volatile, bounded cache.
//
// Sharding. Entries live in shards, each guarded by its own mutex, so threads working on
// different keys rarely contend. There are up to 64 shards (32 per hardware thread, as a
// power of two); a cache bounded to fewer than 64 entries or less than 1 MiB per shard uses
// fewer shards, down to one, so that small caches evict in exact global order. Each shard keeps
// its own eviction order (LRU, or LFU with ties going to the least recently used) and gets an
// equal part of max_size and max_memory_bytes. get, set, erase and exists are O(1);
// erase_by_namespace and erase_by_tags cost O(matching entries + shards); erase_by_pattern and
// erase_by_regex test only the entries whose full_key starts with the pattern's literal prefix
// (each shard keeps its full_keys ordered), every entry only for a pattern without one.
// cleanup_expired touches only expired entries.
//
// Memory. get_stats().memory_usage_bytes is measured, not estimated: the adapter object, each
// shard object, every block the shards allocate (each entry's block, which holds its key,
// namespace and value or compressed frame; the entry tables' slots, index nodes, hash bucket
// arrays, the full_key index's slot arrays, LFU frequency buckets; counted by their allocator)
// and the heap blocks of the strings they hold (tags, index keys). Not counted: malloc's own
// per-block overhead and zstd's per-thread working contexts.
// With max_memory_bytes, that figure never exceeds the bound: a shard over its share evicts
// expired entries first, then in eviction order (under LFU a hit may need a new frequency
// bucket, so a get can evict too). An entry that would not fit in its shard's share even with
// the shard otherwise empty is not stored and evicts nothing; since set overwrites, the key's
// previous entry is gone all the same. No exception is thrown for it.
//
// Statistics. total_entries counts stored entries, including expired ones that nothing has
// removed yet (get, exists and the erase family remove those they find); it is exact after
// cleanup_expired(). oldest_entry and newest_entry are the min and max created_at over the
// same entries. clear() removes entries but keeps the hit and miss totals.
//
// Evictions. An entry removed to stay within max_size or max_memory_bytes is an eviction;
// entries removed because they expired (cleanup_expired, or an expired entry dropped first to
// make room) or were erased are not. get_stats().evictions counts them (clear() keeps the
// count), and with MemoryOptions::on_event set each one is reported as EventKind::evicted with
// the entry's key (tags included) and count 1, on the thread whose call made room: a set or
// set_many over a bound, a get under LFU with max_memory_bytes (a hit may need a new
// frequency bucket), or set_eviction_policy. The listener runs after that call has released
// every lock, so it may call into the cache; an exception it throws is caught and counted in
// get_stats().listener_errors. Should memory run out while collecting keys, the evictions
// concerned are reported as one event without a key and with their count.
//
// Health. health() takes every shard's lock in turn, looks a reserved key up and checks that
// the shard is within its bounds; it stores nothing and counts no hit or miss.
//
// Compression. With enable_compression, values whose msgpack encoding is at least
// compression_threshold bytes are compressed with zstd, and kept compressed only when that is
// smaller. Compression runs before the shard is locked and decompression after it is released.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <portico/cache/adapter.hpp>
#include <portico/cache/events.hpp>
#include <portico/cache/export.hpp>
#include <portico/cache/time.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

enum class EvictionPolicy {
  lru,  // least recently used
  lfu,  // least frequently used (ties: least recently used)
  lrs,  // least recently stored (RocksDB adapter only)
};

struct MemoryOptions {
  std::optional<std::size_t> max_size{};          // entries; none = unbounded
  // memory_usage_bytes; none = unbounded. At least what the empty cache occupies.
  std::optional<std::size_t> max_memory_bytes{};
  EvictionPolicy eviction_policy = EvictionPolicy::lru;
  bool enable_compression = false;
  std::size_t compression_threshold = 1024;  // bytes of msgpack value
  std::shared_ptr<const Clock> clock = system_clock_source();
  // Evictions (EventKind::evicted, on the thread whose call made room). See "Evictions" above.
  EventListener on_event{};
};

struct CompressionStats {
  std::uint64_t compressions = 0;    // compressor runs, also those whose output was not smaller
  std::uint64_t decompressions = 0;  // reads of values stored compressed
  std::uint64_t bytes_in = 0;   // uncompressed bytes given to the compressor
  std::uint64_t bytes_out = 0;  // compressed bytes it produced
};

class PORTICO_CACHE_API MemoryCacheAdapter final : public CacheAdapter {
 public:
  // Throws std::invalid_argument for a zero bound, a max_memory_bytes below the footprint of
  // the empty cache, a null clock, or the lrs policy.
  explicit MemoryCacheAdapter(MemoryOptions options = {});
  ~MemoryCacheAdapter() override;

  // Re-orders every shard under the new policy; entries keep their recency and hit counts.
  // Throws std::invalid_argument for lrs.
  void set_eviction_policy(EvictionPolicy policy);
  EvictionPolicy get_eviction_policy() const;

  CompressionStats get_compression_stats() const;

  // Runs cleanup_expired every `interval` on a background thread until stop_cleanup_task()
  // or destruction; stopping wakes the thread at once. Starting again replaces the interval.
  // REQUIRES: interval is positive (std::invalid_argument otherwise).
  void start_cleanup_task(std::chrono::milliseconds interval);
  void stop_cleanup_task();

 protected:
  std::optional<CacheEntry> do_get(const CacheKey& key) override;
  void do_set(const CacheKey& key, Value value, std::optional<Ttl> ttl) override;
  bool do_erase(const CacheKey& key) override;
  std::size_t do_erase_matching(const KeyPattern& pattern) override;
  std::size_t do_erase_by_namespace(const std::string& ns) override;
  std::size_t do_erase_by_tags(const std::vector<std::string>& tags) override;
  void do_clear() override;
  bool do_exists(const CacheKey& key) override;
  CacheStats do_get_stats() override;
  std::size_t do_cleanup_expired() override;
  std::vector<std::optional<CacheEntry>> do_get_many(const std::vector<CacheKey>& keys) override;
  void do_set_many(std::vector<CacheItem> items) override;
  std::size_t do_erase_many(const std::vector<CacheKey>& keys) override;
  std::string do_health_check() override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

PORTICO_CACHE_END_NAMESPACE
