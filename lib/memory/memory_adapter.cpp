#include <portico/cache/memory_adapter.hpp>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "compression.hpp"
#include "core/event_sink.hpp"
#include "core/expiry.hpp"
#include "identity.hpp"
#include "shard.hpp"
#include "shard_plan.hpp"
#include "util/periodic_task.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

namespace {

using internal::EntryIdentity;
using internal::EntrySnapshot;
using internal::IdentityView;
using internal::PreparedEntry;
using internal::Shard;

void validate_policy(EvictionPolicy policy) {
  switch (policy) {
    case EvictionPolicy::lru:
    case EvictionPolicy::lfu:
      return;
    case EvictionPolicy::lrs:
      throw std::invalid_argument(
          "MemoryCacheAdapter: the lrs eviction policy is only available on the RocksDB adapter");
  }
  throw std::invalid_argument("MemoryCacheAdapter: unknown eviction policy");
}

void validate_options(const MemoryOptions& options) {
  if (options.max_size && *options.max_size == 0) {
    throw std::invalid_argument("MemoryCacheAdapter: max_size must be positive (omit it for no bound)");
  }
  if (options.max_memory_bytes && *options.max_memory_bytes == 0) {
    throw std::invalid_argument(
        "MemoryCacheAdapter: max_memory_bytes must be positive (omit it for no bound)");
  }
  if (!options.clock) throw std::invalid_argument("MemoryCacheAdapter: clock must not be null");
  validate_policy(options.eviction_policy);
}

}  // namespace

// Routes each key to its shard and turns stored forms back into entries. Everything that
// needs a lock is in Shard; everything here is either immutable after construction or atomic.
class MemoryCacheAdapter::Impl {
 public:
  explicit Impl(const MemoryOptions& options);

  TimePoint now() const { return clock_->now(); }
  Shard& shard_for(const IdentityView& identity) { return *shards_[shard_index(identity)]; }
  std::size_t shard_index(const IdentityView& identity) const;
  std::size_t shard_count() const { return shards_.size(); }
  Shard& shard(std::size_t index) { return *shards_[index]; }

  PreparedEntry prepare(EntryIdentity identity, std::vector<std::string> tags, Value value,
                        std::optional<Ttl> ttl, TimePoint now);
  CacheEntry restore(EntrySnapshot snapshot);

  // What the adapter holds outside its shards.
  std::size_t fixed_footprint() const;

  // Reports the evictions the change caused once no lock is held.
  void set_policy(EvictionPolicy policy);
  EvictionPolicy policy() const { return policy_.load(std::memory_order_acquire); }
  std::uint64_t listener_errors() const { return events_.listener_errors(); }
  std::size_t cleanup_expired();
  CompressionStats compression_stats() const { return compressor_.stats(); }

  void start_cleanup(std::chrono::milliseconds interval);
  void stop_cleanup();

 private:
  void set_policy_of_shards(EvictionPolicy policy, internal::EvictionReport& evicted);

  const std::shared_ptr<const Clock> clock_;
  // Before the shards, which report to it.
  internal::EventSink events_;
  internal::ValueCompressor compressor_;
  std::vector<std::unique_ptr<Shard>> shards_;
  int shard_bits_ = 0;  // shards_.size() == 1 << shard_bits_

  std::mutex policy_mutex_;  // one policy change at a time, so shards never disagree for long
  std::atomic<EvictionPolicy> policy_;

  // PeriodicTask's start and stop must not overlap; the adapter's may be called from any
  // threads at once.
  std::mutex cleanup_mutex_;
  // Last: destroyed first, so the background thread is gone before the shards are.
  internal::PeriodicTask cleanup_task_;
};

MemoryCacheAdapter::Impl::Impl(const MemoryOptions& options)
    : clock_(options.clock),
      events_(options.on_event),
      compressor_(options.enable_compression, options.compression_threshold),
      policy_(options.eviction_policy) {
  const internal::ShardPlan plan = internal::plan_shards(
      options.max_size, options.max_memory_bytes, std::thread::hardware_concurrency());
  shards_.reserve(plan.shard_count);
  shard_bits_ = std::countr_zero(plan.shard_count);

  std::optional<std::size_t> memory_for_shards;
  if (options.max_memory_bytes) {
    const std::size_t needed = fixed_footprint() + plan.shard_count * Shard::empty_footprint();
    if (*options.max_memory_bytes < needed) {
      throw std::invalid_argument(fmt::format(
          "MemoryCacheAdapter: max_memory_bytes {} is below the {} bytes an empty cache occupies",
          *options.max_memory_bytes, needed));
    }
    memory_for_shards = *options.max_memory_bytes - fixed_footprint();
  }
  for (std::size_t index = 0; index < plan.shard_count; ++index) {
    shards_.push_back(std::make_unique<Shard>(
        plan.bounds_of(index, options.max_size, memory_for_shards), options.eviction_policy,
        events_));
  }
}

std::size_t MemoryCacheAdapter::Impl::shard_index(const IdentityView& identity) const {
  if (shard_bits_ == 0) return 0;
  // Fibonacci hashing takes the shard from the high bits of the product, while the shard's
  // entry table probes from the low bits of the same hash; the two choices stay independent.
  return static_cast<std::size_t>((identity.hash * 0x9e3779b97f4a7c15ULL) >> (64 - shard_bits_));
}

PreparedEntry MemoryCacheAdapter::Impl::prepare(EntryIdentity identity,
                                                std::vector<std::string> tags, Value value,
                                                std::optional<Ttl> ttl, TimePoint now) {
  return PreparedEntry{.identity = std::move(identity),
                       .tags = std::move(tags),
                       .value = compressor_.pack(std::move(value)),
                       .created_at = now,
                       .expires_at = detail::expiry_after(now, ttl)};
}

CacheEntry MemoryCacheAdapter::Impl::restore(EntrySnapshot snapshot) {
  return CacheEntry{.key = std::move(snapshot.key),
                    .value = compressor_.unpack(std::move(snapshot.value)),
                    .created_at = snapshot.created_at,
                    .expires_at = snapshot.expires_at,
                    .hit_count = snapshot.hit_count,
                    .last_accessed = snapshot.last_accessed};
}

std::size_t MemoryCacheAdapter::Impl::fixed_footprint() const {
  return sizeof(MemoryCacheAdapter) + sizeof(Impl) +
         shards_.capacity() * sizeof(std::unique_ptr<Shard>);
}

void MemoryCacheAdapter::Impl::set_policy(EvictionPolicy policy) {
  internal::EvictionReport evicted;
  try {
    set_policy_of_shards(policy, evicted);
  } catch (...) {
    evicted.emit(events_);
    throw;
  }
  evicted.emit(events_);
}

void MemoryCacheAdapter::Impl::set_policy_of_shards(EvictionPolicy policy,
                                                    internal::EvictionReport& evicted) {
  const std::lock_guard lock(policy_mutex_);
  const EvictionPolicy previous = policy_.load(std::memory_order_relaxed);
  const TimePoint at = now();
  for (std::size_t index = 0; index < shards_.size(); ++index) {
    try {
      shards_[index]->set_policy(policy, at, evicted);
    } catch (...) {
      // Only a switch to LFU can fail, and the failed shard fell back to LRU: put the shards
      // already switched back too, so every shard runs the policy get_eviction_policy() names.
      for (std::size_t done = 0; done < index; ++done) {
        shards_[done]->set_policy(previous, at, evicted);
      }
      throw;
    }
  }
  policy_.store(policy, std::memory_order_release);
}

std::size_t MemoryCacheAdapter::Impl::cleanup_expired() {
  const TimePoint at = now();
  std::size_t removed = 0;
  for (const auto& shard : shards_) removed += shard->cleanup_expired(at);
  return removed;
}

void MemoryCacheAdapter::Impl::start_cleanup(std::chrono::milliseconds interval) {
  const std::lock_guard lock(cleanup_mutex_);
  cleanup_task_.start(interval, [this] { cleanup_expired(); });
}

void MemoryCacheAdapter::Impl::stop_cleanup() {
  const std::lock_guard lock(cleanup_mutex_);
  cleanup_task_.stop();
}

MemoryCacheAdapter::MemoryCacheAdapter(MemoryOptions options) {
  validate_options(options);
  impl_ = std::make_unique<Impl>(options);
}

MemoryCacheAdapter::~MemoryCacheAdapter() { impl_->stop_cleanup(); }

void MemoryCacheAdapter::set_eviction_policy(EvictionPolicy policy) {
  validate_policy(policy);
  impl_->set_policy(policy);
}

EvictionPolicy MemoryCacheAdapter::get_eviction_policy() const { return impl_->policy(); }

CompressionStats MemoryCacheAdapter::get_compression_stats() const {
  return impl_->compression_stats();
}

void MemoryCacheAdapter::start_cleanup_task(std::chrono::milliseconds interval) {
  if (interval.count() <= 0) {
    throw std::invalid_argument(fmt::format(
        "start_cleanup_task: interval must be positive, got {} ms", interval.count()));
  }
  impl_->start_cleanup(interval);
}

void MemoryCacheAdapter::stop_cleanup_task() { impl_->stop_cleanup(); }

std::optional<CacheEntry> MemoryCacheAdapter::do_get(const CacheKey& key) {
  const IdentityView identity(key);
  std::optional<EntrySnapshot> snapshot = impl_->shard_for(identity).get(identity, impl_->now());
  if (!snapshot) return std::nullopt;
  return impl_->restore(std::move(*snapshot));
}

void MemoryCacheAdapter::do_set(const CacheKey& key, Value value, std::optional<Ttl> ttl) {
  PreparedEntry entry = impl_->prepare(EntryIdentity{.key = key.key, .ns = key.ns}, key.tags,
                                       std::move(value), ttl, impl_->now());
  impl_->shard_for(entry.identity).set(std::move(entry));
}

bool MemoryCacheAdapter::do_erase(const CacheKey& key) {
  const IdentityView identity(key);
  return impl_->shard_for(identity).erase(identity, impl_->now());
}

std::size_t MemoryCacheAdapter::do_erase_matching(const KeyPattern& pattern) {
  const TimePoint now = impl_->now();
  std::size_t erased = 0;
  for (std::size_t index = 0; index < impl_->shard_count(); ++index) {
    erased += impl_->shard(index).erase_matching(pattern, now);
  }
  return erased;
}

std::size_t MemoryCacheAdapter::do_erase_by_namespace(const std::string& ns) {
  const TimePoint now = impl_->now();
  std::size_t erased = 0;
  for (std::size_t index = 0; index < impl_->shard_count(); ++index) {
    erased += impl_->shard(index).erase_namespace(ns, now);
  }
  return erased;
}

std::size_t MemoryCacheAdapter::do_erase_by_tags(const std::vector<std::string>& tags) {
  const TimePoint now = impl_->now();
  std::size_t erased = 0;
  for (std::size_t index = 0; index < impl_->shard_count(); ++index) {
    erased += impl_->shard(index).erase_tags(tags, now);
  }
  return erased;
}

void MemoryCacheAdapter::do_clear() {
  for (std::size_t index = 0; index < impl_->shard_count(); ++index) impl_->shard(index).clear();
}

bool MemoryCacheAdapter::do_exists(const CacheKey& key) {
  const IdentityView identity(key);
  return impl_->shard_for(identity).exists(identity, impl_->now());
}

CacheStats MemoryCacheAdapter::do_get_stats() {
  CacheStats stats{.memory_usage_bytes = impl_->fixed_footprint()};
  for (std::size_t index = 0; index < impl_->shard_count(); ++index) {
    const internal::ShardStats shard = impl_->shard(index).stats();
    stats.total_entries += shard.entries;
    stats.total_hits += shard.hits;
    stats.total_misses += shard.misses;
    *stats.memory_usage_bytes += shard.footprint_bytes;
    stats.evictions += shard.evictions;
    if (shard.oldest_created) {
      stats.oldest_entry = stats.oldest_entry ? std::min(*stats.oldest_entry, *shard.oldest_created)
                                              : *shard.oldest_created;
    }
    if (shard.newest_created) {
      stats.newest_entry = stats.newest_entry ? std::max(*stats.newest_entry, *shard.newest_created)
                                              : *shard.newest_created;
    }
  }
  stats.hit_rate = hit_rate_of(stats.total_hits, stats.total_misses);
  stats.listener_errors = impl_->listener_errors();
  return stats;
}

std::string MemoryCacheAdapter::do_health_check() {
  // Only looked up, never stored: an entry an application keeps under it is left untouched.
  static const CacheKey probe{.key = "health", .ns = "portico.health"};
  const IdentityView identity(probe);
  (void)impl_->now();  // the clock answers
  for (std::size_t index = 0; index < impl_->shard_count(); ++index) {
    impl_->shard(index).check_health(identity);
  }
  return "memory";
}

std::size_t MemoryCacheAdapter::do_cleanup_expired() { return impl_->cleanup_expired(); }

std::vector<std::optional<CacheEntry>> MemoryCacheAdapter::do_get_many(
    const std::vector<CacheKey>& keys) {
  const TimePoint now = impl_->now();
  // Positions of the keys each shard serves, so each shard is locked once.
  std::vector<std::vector<std::size_t>> positions(impl_->shard_count());
  for (std::size_t position = 0; position < keys.size(); ++position) {
    positions[impl_->shard_index(keys[position])].push_back(position);
  }

  std::vector<std::optional<CacheEntry>> entries(keys.size());
  std::vector<IdentityView> identities;
  for (std::size_t index = 0; index < positions.size(); ++index) {
    if (positions[index].empty()) continue;
    identities.clear();
    for (const std::size_t position : positions[index]) identities.emplace_back(keys[position]);
    std::vector<std::optional<EntrySnapshot>> snapshots =
        impl_->shard(index).get_many(identities, now);
    for (std::size_t i = 0; i < snapshots.size(); ++i) {
      if (snapshots[i]) entries[positions[index][i]] = impl_->restore(std::move(*snapshots[i]));
    }
  }
  return entries;
}

void MemoryCacheAdapter::do_set_many(std::vector<CacheItem> items) {
  const TimePoint now = impl_->now();
  // Compress before locking anything, then store each shard's part under one lock, keeping
  // the order of the items so that a later item for the same key wins.
  std::vector<std::vector<PreparedEntry>> by_shard(impl_->shard_count());
  for (CacheItem& item : items) {
    const std::size_t index = impl_->shard_index(item.key);
    by_shard[index].push_back(impl_->prepare(
        EntryIdentity{.key = std::move(item.key.key), .ns = std::move(item.key.ns)},
        std::move(item.key.tags), std::move(item.value), item.ttl, now));
  }
  for (std::size_t index = 0; index < by_shard.size(); ++index) {
    if (!by_shard[index].empty()) impl_->shard(index).set_many(by_shard[index]);
  }
}

std::size_t MemoryCacheAdapter::do_erase_many(const std::vector<CacheKey>& keys) {
  const TimePoint now = impl_->now();
  std::vector<std::vector<IdentityView>> by_shard(impl_->shard_count());
  for (const CacheKey& key : keys) by_shard[impl_->shard_index(key)].emplace_back(key);
  std::size_t erased = 0;
  for (std::size_t index = 0; index < by_shard.size(); ++index) {
    if (!by_shard[index].empty()) erased += impl_->shard(index).erase_many(by_shard[index], now);
  }
  return erased;
}

PORTICO_CACHE_END_NAMESPACE
