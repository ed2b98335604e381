// The CacheStats of a cache database, assembled in one place for the adapter and for
// cache-inspect: counters from the meta family, the oldest and newest counted entry from the
// created index, memory from RocksDB's properties.
//
// Thread-safety: as the Database: any thread, no shared state.
#pragma once

#include <cstdint>
#include <optional>

#include <portico/cache/stats.hpp>
#include <portico/cache/time.hpp>

#include "rocksdb/database.hpp"
#include "rocksdb/visibility.hpp"

namespace portico::cache::internal {

// The counters a CacheStats starts from.
struct StatsCounters {
  std::int64_t entries = 0;
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t evictions = 0;
};

// The counters as stored in `meta` (a live writer may hold more in memory).
StatsCounters read_stored_counters(Database& db);

// `counters` plus the hit rate and the created_at edges. Memory is left unset.
CacheStats assemble_stats(Database& db, const Visibility& visibility,
                          const StatsCounters& counters);

// Bytes RocksDB holds in memory for this database: block cache, memtables, table readers.
std::uint64_t memory_usage(Database& db);

// The creation time of the oldest (newest = false) or newest counted entry, from the created
// index; nullopt in an empty cache. Index entries of replaced, dropped, settled or erased
// records are skipped.
std::optional<TimePoint> edge_created_at(Database& db, bool newest, const Visibility& visibility);

// The created_ns of the newest created index entry (stale or not); INT64_MIN when none.
std::int64_t newest_created_ns(Database& db);

}  // namespace portico::cache::internal
