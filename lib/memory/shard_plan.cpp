#include "shard_plan.hpp"

#include <algorithm>
#include <bit>

namespace portico::cache::internal {

namespace {

std::optional<std::size_t> share_of(std::optional<std::size_t> total, std::size_t index,
                                    std::size_t count) {
  if (!total) return std::nullopt;
  return *total / count + (index < *total % count ? 1 : 0);
}

}  // namespace

ShardBounds ShardPlan::bounds_of(std::size_t index, std::optional<std::size_t> max_entries,
                                 std::optional<std::size_t> memory_for_shards) const {
  return ShardBounds{.max_entries = share_of(max_entries, index, shard_count),
                     .max_bytes = share_of(memory_for_shards, index, shard_count)};
}

ShardPlan plan_shards(std::optional<std::size_t> max_entries, std::optional<std::size_t> max_bytes,
                      unsigned hardware_threads) {
  const std::size_t threads = std::max(1U, hardware_threads);
  std::size_t count = std::min(max_shard_count, std::bit_ceil(shards_per_thread * threads));
  const auto too_small = [&](std::optional<std::size_t> bound, std::size_t minimum) {
    return bound && *bound / count < minimum;
  };
  while (count > 1 && (too_small(max_entries, min_entries_per_shard) ||
                       too_small(max_bytes, min_bytes_per_shard))) {
    count /= 2;
  }
  return ShardPlan{.shard_count = count};
}

}  // namespace portico::cache::internal
