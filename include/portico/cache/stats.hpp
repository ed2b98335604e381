// CacheStats: a snapshot of an adapter's counters.
//
// Thread-safety: a plain value type.
#pragma once

#include <cstdint>
#include <optional>

#include <portico/cache/time.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

struct CacheStats {
  std::uint64_t total_entries = 0;
  std::uint64_t total_hits = 0;
  std::uint64_t total_misses = 0;
  double hit_rate = 0.0;  // hits / (hits + misses); 0.0 when nothing was read
  std::optional<std::uint64_t> memory_usage_bytes{};
  std::optional<TimePoint> oldest_entry{};  // min created_at
  std::optional<TimePoint> newest_entry{};  // max created_at
  std::uint64_t evictions = 0;              // entries removed to stay within a bound
  std::uint64_t listener_errors = 0;        // exceptions the event listener threw (caught)
};

// hits / (hits + misses), 0.0 without reads.
inline double hit_rate_of(std::uint64_t hits, std::uint64_t misses) {
  const std::uint64_t reads = hits + misses;
  return reads == 0 ? 0.0 : static_cast<double>(hits) / static_cast<double>(reads);
}

PORTICO_CACHE_END_NAMESPACE
