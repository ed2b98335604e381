#include "rocksdb/store.hpp"

#include "rocksdb/stats.hpp"

namespace portico::cache::internal {

CacheStats Store::stats() {
  // A read-write instance is the only writer, so its own mirror is the count; others read
  // the stored one, which a live writer keeps changing.
  StatsCounters counters{.entries = db_->mode() == OpenMode::read_write
                                        ? entry_count_.load(std::memory_order_relaxed)
                                        : db_->read_counter(kMetaEntryCount),
                          .hits = hits_.load(),
                          .misses = misses_.load()};
  CacheStats stats = assemble_stats(*db_, visibility_, counters);
  stats.memory_usage_bytes = memory_usage(*db_);
  return stats;
}

}  // namespace portico::cache::internal
