// MemoryCacheAdapter: an in-process, volatile, bounded cache.
//
// Entries live in shards, each guarded by its own mutex, so threads working on different keys
// rarely contend. Each shard keeps its own eviction order (LRU or LFU) and gets an equal part of
// max_size and max_memory_bytes; a cache bounded to fewer than 64 entries per shard uses fewer
// shards, down to one, so that small caches evict in exact global order.
// Values at least compression_threshold bytes long are stored zstd-compressed when compression
// is on and it actually saves space.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>

#include <portico/cache/adapter.hpp>
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
  std::optional<std::size_t> max_memory_bytes{};  // footprint; none = unbounded
  EvictionPolicy eviction_policy = EvictionPolicy::lru;
  bool enable_compression = false;
  std::size_t compression_threshold = 1024;  // bytes of msgpack value
  std::shared_ptr<const Clock> clock = system_clock_source();
};

struct CompressionStats {
  std::uint64_t compressions = 0;
  std::uint64_t decompressions = 0;
  std::uint64_t bytes_in = 0;   // uncompressed bytes given to the compressor
  std::uint64_t bytes_out = 0;  // compressed bytes it produced
};

class PORTICO_CACHE_API MemoryCacheAdapter final : public CacheAdapter {
 public:
  // Throws std::invalid_argument for a zero bound or the lrs policy.
  explicit MemoryCacheAdapter(MemoryOptions options = {});
  ~MemoryCacheAdapter() override;

  // Re-orders every shard under the new policy; entries keep their recency and hit counts.
  void set_eviction_policy(EvictionPolicy policy);
  EvictionPolicy get_eviction_policy() const;

  CompressionStats get_compression_stats() const;

  // Runs cleanup_expired every `interval` on a background thread until stop_cleanup_task()
  // or destruction; stopping wakes the thread at once. Starting again replaces the interval.
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

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

PORTICO_CACHE_END_NAMESPACE
