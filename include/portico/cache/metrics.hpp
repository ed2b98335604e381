// MetricsSnapshot: how a cache behaved, as seen from inside the application, and its
// OpenMetrics rendering.
//
// A snapshot holds, per adapter operation, the number of calls, the calls that threw, and a
// latency histogram; the keys looked up that were found (hits) or not (misses); and the
// adapter's own CacheStats at the time of the snapshot. MeteredAdapter and CacheService fill
// it (metrics()); to_openmetrics() renders it as the text exposition format Prometheus scrapes.
//
// Latency histograms have log-scale buckets: bucket i counts calls that took at most 2^i
// microseconds (and more than 2^(i-1) us, for i > 0), from 1 us up to 2^24 us (about 16.8 s);
// the last bucket counts everything slower.
//
// Counters only grow during the life of the object that records them, so Prometheus rates
// work; a snapshot is taken without stopping the recording threads, so its counters may be a
// few calls apart from one another, never further.
//
// Thread-safety: plain value types; to_openmetrics() is a pure function.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <portico/cache/export.hpp>
#include <portico/cache/stats.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

// The adapter operations that are measured. erase_by_pattern covers erase_by_regex too.
// get_stats and health are not measured (a metrics scrape calls them).
enum class Operation {
  get,
  set,
  erase,
  erase_by_pattern,
  erase_by_namespace,
  erase_by_tags,
  clear,
  exists,
  cleanup_expired,
  get_many,
  set_many,
  erase_many,
};
inline constexpr std::size_t kOperationCount = 12;

// "get", "erase_by_pattern", ...: stable names for logs and metric labels.
PORTICO_CACHE_API std::string_view to_string(Operation operation);

struct LatencyHistogram {
  static constexpr std::size_t kBucketCount = 26;  // 25 bounded buckets and one unbounded

  // Upper bound of bucket `bucket` (inclusive): 2^bucket microseconds.
  // REQUIRES: bucket < kBucketCount - 1 (the last bucket has no bound).
  static constexpr std::chrono::microseconds upper_bound(std::size_t bucket) {
    return std::chrono::microseconds(std::int64_t{1} << bucket);
  }

  std::array<std::uint64_t, kBucketCount> counts{};  // calls per bucket (not cumulative)
  std::chrono::nanoseconds sum{};                     // total time of the calls counted

  // Calls counted in all buckets.
  std::uint64_t count() const {
    std::uint64_t total = 0;
    for (const std::uint64_t n : counts) total += n;
    return total;
  }
};

struct OperationMetrics {
  std::uint64_t calls = 0;   // calls that reached the adapter, including those that threw
  std::uint64_t errors = 0;  // calls that threw
  LatencyHistogram latency{};  // of every call counted in `calls`
};

struct MetricsSnapshot {
  std::array<OperationMetrics, kOperationCount> operations{};  // indexed by Operation
  std::uint64_t hits = 0;    // keys found by get and get_many
  std::uint64_t misses = 0;  // keys get and get_many did not find
  std::uint64_t evictions = 0;  // entries the adapter evicted (cache.evictions)
  CacheStats cache{};        // the adapter's get_stats() at the time of the snapshot

  const OperationMetrics& operator[](Operation operation) const {
    return operations[static_cast<std::size_t>(operation)];
  }
  OperationMetrics& operator[](Operation operation) {
    return operations[static_cast<std::size_t>(operation)];
  }
  // hits / (hits + misses) over the measured lookups; 0.0 without any.
  double hit_rate() const { return hit_rate_of(hits, misses); }
};

// The OpenMetrics text exposition (application/openmetrics-text; version=1.0.0) of a snapshot,
// every metric name starting with `prefix` and an underscore, ending with "# EOF\n":
//   <prefix>_operation_duration_seconds   histogram, label operation="get"|...
//   <prefix>_operation_errors_total       counter, label operation
//   <prefix>_lookups_total                counter, label result="hit"|"miss"
//   <prefix>_entries, <prefix>_hit_ratio, <prefix>_memory_usage_bytes,
//   <prefix>_oldest_entry_timestamp_seconds, <prefix>_newest_entry_timestamp_seconds   gauges
//   <prefix>_hits_total, <prefix>_misses_total, <prefix>_evictions_total,
//   <prefix>_listener_errors_total                                                       counters
// The last group is the adapter's CacheStats, under the names `cache-inspect stats
// --prometheus` prints; optional fields that are empty are left out.
// REQUIRES: prefix is a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*); std::invalid_argument otherwise.
PORTICO_CACHE_API std::string to_openmetrics(const MetricsSnapshot& snapshot,
                                             std::string_view prefix = "portico_cache");

PORTICO_CACHE_END_NAMESPACE
