// How many shards a cache gets and how its bounds are split between them.
#pragma once

#include <cstddef>
#include <optional>

namespace portico::cache::internal {

// The bounds one shard enforces.
struct ShardBounds {
  std::optional<std::size_t> max_entries{};
  std::optional<std::size_t> max_bytes{};
};

struct ShardPlan {
  std::size_t shard_count = 1;  // a power of two

  // Bounds of shard `index`: each bound is split evenly, the remainder going one unit each
  // to the first shards, so the per-shard bounds add up to exactly the cache's bounds.
  // `memory_for_shards` is the memory bound minus what the adapter holds outside its shards.
  ShardBounds bounds_of(std::size_t index, std::optional<std::size_t> max_entries,
                        std::optional<std::size_t> memory_for_shards) const;
};

// Fewer entries than this per shard, and the cache uses fewer shards: small caches then evict
// in exact global order instead of per-shard order.
inline constexpr std::size_t min_entries_per_shard = 64;
// Likewise for memory: a shard's budget bounds the largest entry it can hold.
inline constexpr std::size_t min_bytes_per_shard = std::size_t{1} << 20;
inline constexpr std::size_t max_shard_count = 64;
// Shards per hardware thread: two threads working on one shard wait on its mutex, and in a
// virtual machine that wait is a futex sleep and wake-up costing more than the get itself.
// Measured on 2 cores (a get-only loop over 10^6 entries): 4 shards gave 1.1x to 1.3x the
// 1-thread rate on 2 threads, 16 shards 1.65x, 32 shards 1.85x, 64 shards 2.0x.
inline constexpr std::size_t shards_per_thread = 32;

// Starts from the power of two at or above shards_per_thread times the hardware threads (at
// most max_shard_count) and halves the count while a bound would give a shard less than its minimum.
ShardPlan plan_shards(std::optional<std::size_t> max_entries, std::optional<std::size_t> max_bytes,
                      unsigned hardware_threads);

}  // namespace portico::cache::internal
