#include <portico/cache/metrics.hpp>

#include <stdexcept>

#include <fmt/format.h>

#include "metrics/openmetrics_writer.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

namespace {

bool is_metric_name(std::string_view name) {
  const auto letter = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
  };
  if (name.empty() || !letter(name.front())) return false;
  for (const char c : name) {
    if (!letter(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

// The `le` of a bounded bucket, in seconds. Divided rather than scaled so that the double is
// the one nearest the exact bound and prints as, e.g., "3.2e-05".
double upper_bound_seconds(std::size_t bucket) {
  return static_cast<double>(LatencyHistogram::upper_bound(bucket).count()) / 1e6;
}

void write_operations(internal::OpenMetricsWriter& out, const MetricsSnapshot& snapshot) {
  out.family("operation_duration_seconds", "histogram",
             "Time adapter calls took, by operation (the count is the number of calls).",
             "seconds");
  for (std::size_t op = 0; op < kOperationCount; ++op) {
    const OperationMetrics& metrics = snapshot.operations[op];
    const std::string_view name = to_string(static_cast<Operation>(op));
    std::uint64_t cumulative = 0;
    for (std::size_t bucket = 0; bucket < LatencyHistogram::kBucketCount; ++bucket) {
      cumulative += metrics.latency.counts[bucket];
      const bool last = bucket + 1 == LatencyHistogram::kBucketCount;
      const std::string le = last ? std::string("+Inf") : fmt::format("{}", upper_bound_seconds(bucket));
      out.sample("operation_duration_seconds_bucket", cumulative,
                 fmt::format("operation=\"{}\",le=\"{}\"", name, le));
    }
    const std::string label = fmt::format("operation=\"{}\"", name);
    out.sample("operation_duration_seconds_sum",
               std::chrono::duration<double>(metrics.latency.sum).count(), label);
    out.sample("operation_duration_seconds_count", cumulative, label);
  }
  out.family("operation_errors", "counter", "Adapter calls that threw, by operation.");
  for (std::size_t op = 0; op < kOperationCount; ++op) {
    out.sample("operation_errors_total", snapshot.operations[op].errors,
               fmt::format("operation=\"{}\"", to_string(static_cast<Operation>(op))));
  }
  out.family("lookups", "counter",
             "Keys looked up by get and get_many through the metered adapter, by result.");
  out.sample("lookups_total", snapshot.hits, "result=\"hit\"");
  out.sample("lookups_total", snapshot.misses, "result=\"miss\"");
}

}  // namespace

std::string to_openmetrics(const MetricsSnapshot& snapshot, std::string_view prefix) {
  if (!is_metric_name(prefix)) {
    throw std::invalid_argument(fmt::format(
        "to_openmetrics: prefix \"{}\" is not a metric name ([a-zA-Z_:][a-zA-Z0-9_:]*)", prefix));
  }
  internal::OpenMetricsWriter out(prefix);
  write_operations(out, snapshot);
  internal::write_cache_stats(out, snapshot.cache);
  return std::move(out).finish();
}

PORTICO_CACHE_END_NAMESPACE
