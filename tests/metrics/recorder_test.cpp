// The recorder's histogram buckets and its sums; to_openmetrics' layout.
#include <doctest/doctest.h>

#include <chrono>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <portico/cache/metrics.hpp>

#include "metrics/recorder.hpp"

using namespace portico::cache;
using internal::latency_bucket;
using std::chrono::microseconds;
using std::chrono::nanoseconds;

TEST_CASE("latency buckets: bucket i holds (2^(i-1), 2^i] microseconds") {
  CHECK(latency_bucket(nanoseconds(0)) == 0);
  CHECK(latency_bucket(nanoseconds(1)) == 0);
  CHECK(latency_bucket(nanoseconds(1000)) == 0);
  CHECK(latency_bucket(nanoseconds(1001)) == 1);
  CHECK(latency_bucket(nanoseconds(2000)) == 1);
  CHECK(latency_bucket(nanoseconds(2001)) == 2);
  CHECK(latency_bucket(microseconds(4)) == 2);
  CHECK(latency_bucket(microseconds(5)) == 3);
  CHECK(latency_bucket(microseconds(1024)) == 10);
  CHECK(latency_bucket(microseconds(1025)) == 11);
  // The last bounded bucket ends at 2^24 us (about 16.8 s); anything slower is unbounded.
  CHECK(latency_bucket(microseconds(1 << 24)) == 24);
  CHECK(latency_bucket(microseconds((1 << 24) + 1)) == 25);
  CHECK(latency_bucket(std::chrono::hours(1)) == 25);
  CHECK(LatencyHistogram::kBucketCount == 26);
  // Every bound lies in its own bucket, and one nanosecond more in the next.
  for (std::size_t i = 0; i + 1 < LatencyHistogram::kBucketCount; ++i) {
    const nanoseconds bound = LatencyHistogram::upper_bound(i);
    CHECK(latency_bucket(bound) == i);
    CHECK(latency_bucket(bound + nanoseconds(1)) == i + 1);
  }
}

TEST_CASE("the recorder adds up calls, latencies, errors and lookups") {
  internal::MetricsRecorder recorder;
  recorder.record(Operation::get, microseconds(3));
  recorder.record(Operation::get, microseconds(3));
  recorder.record(Operation::get, nanoseconds(500));
  recorder.record_error(Operation::set, std::chrono::seconds(100));
  recorder.record(Operation::get_many, microseconds(1), 2, 1);
  recorder.record(Operation::get_many, microseconds(1), 0, 4);

  const MetricsSnapshot s = recorder.snapshot();
  CHECK(s[Operation::get].calls == 3);
  CHECK(s[Operation::get].latency.counts[0] == 1);
  CHECK(s[Operation::get].latency.counts[2] == 2);
  CHECK(s[Operation::get].latency.sum == nanoseconds(6500));
  CHECK(s[Operation::get].errors == 0);
  CHECK(s[Operation::set].calls == 1);
  CHECK(s[Operation::set].errors == 1);
  CHECK(s[Operation::set].latency.counts[LatencyHistogram::kBucketCount - 1] == 1);
  CHECK(s[Operation::get_many].calls == 2);
  CHECK(s[Operation::erase].calls == 0);
  CHECK(s.hits == 2);
  CHECK(s.misses == 5);
}

TEST_CASE("operation names are stable labels") {
  CHECK(to_string(Operation::get) == "get");
  CHECK(to_string(Operation::erase_by_pattern) == "erase_by_pattern");
  CHECK(to_string(Operation::erase_many) == "erase_many");
  for (std::size_t op = 0; op < kOperationCount; ++op) {
    CHECK(to_string(static_cast<Operation>(op)) != "unknown");
  }
}

namespace {

bool has_line(const std::string& text, std::string_view line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("to_openmetrics: cumulative buckets, sum, count, counters, stats, EOF") {
  MetricsSnapshot s;
  s[Operation::get].calls = 3;
  s[Operation::get].latency.counts[0] = 1;
  s[Operation::get].latency.counts[2] = 2;
  s[Operation::get].latency.sum = nanoseconds(6500);
  s[Operation::set].calls = 1;
  s[Operation::set].errors = 1;
  s[Operation::set].latency.counts[LatencyHistogram::kBucketCount - 1] = 1;
  s.hits = 2;
  s.misses = 5;
  s.cache = CacheStats{.total_entries = 10,
                       .total_hits = 4,
                       .total_misses = 1,
                       .hit_rate = 0.8,
                       .memory_usage_bytes = 4096,
                       .evictions = 6};
  const std::string text = to_openmetrics(s);

  REQUIRE(text.size() > 6);
  CHECK(text.substr(text.size() - 6) == "# EOF\n");
  CHECK(has_line(text, "# TYPE portico_cache_operation_duration_seconds histogram"));
  CHECK(has_line(text, "# UNIT portico_cache_operation_duration_seconds seconds"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_bucket{operation="get",le="1e-06"} 1)"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_bucket{operation="get",le="2e-06"} 1)"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_bucket{operation="get",le="4e-06"} 3)"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_bucket{operation="get",le="16.777216"} 3)"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_bucket{operation="get",le="+Inf"} 3)"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_sum{operation="get"} 6.5e-06)"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_count{operation="get"} 3)"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_bucket{operation="set",le="16.777216"} 0)"));
  CHECK(has_line(text, R"(portico_cache_operation_duration_seconds_bucket{operation="set",le="+Inf"} 1)"));
  CHECK(has_line(text, R"(portico_cache_operation_errors_total{operation="set"} 1)"));
  CHECK(has_line(text, R"(portico_cache_operation_errors_total{operation="erase_many"} 0)"));
  CHECK(has_line(text, R"(portico_cache_lookups_total{result="hit"} 2)"));
  CHECK(has_line(text, R"(portico_cache_lookups_total{result="miss"} 5)"));
  CHECK(has_line(text, "portico_cache_entries 10"));
  CHECK(has_line(text, "portico_cache_hits_total 4"));
  CHECK(has_line(text, "portico_cache_misses_total 1"));
  CHECK(has_line(text, "portico_cache_hit_ratio 0.8"));
  CHECK(has_line(text, "# UNIT portico_cache_memory_usage_bytes bytes"));
  CHECK(has_line(text, "portico_cache_memory_usage_bytes 4096"));
  CHECK(has_line(text, "portico_cache_evictions_total 6"));
  CHECK(has_line(text, "portico_cache_listener_errors_total 0"));
  // No entries: no oldest / newest timestamps.
  CHECK(text.find("oldest_entry") == std::string::npos);
}

TEST_CASE("to_openmetrics: the prefix names every metric and must be a metric name") {
  const std::string text = to_openmetrics(MetricsSnapshot{}, "app:cache_2");
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line == "# EOF") continue;
    const std::size_t name_at = line.rfind("# ", 0) == 0 ? line.find(' ', 2) + 1 : 0;
    CHECK(line.compare(name_at, 12, "app:cache_2_") == 0);
  }
  CHECK_THROWS_AS(to_openmetrics(MetricsSnapshot{}, ""), std::invalid_argument);
  CHECK_THROWS_AS(to_openmetrics(MetricsSnapshot{}, "2cache"), std::invalid_argument);
  CHECK_THROWS_AS(to_openmetrics(MetricsSnapshot{}, "my cache"), std::invalid_argument);
  CHECK_THROWS_AS(to_openmetrics(MetricsSnapshot{}, "cache-x"), std::invalid_argument);
}
