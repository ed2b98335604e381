// OpenMetricsWriter: builds OpenMetrics text exposition, one metric family after another.
//
// Shared by to_openmetrics() and `cache-inspect stats --prometheus`, together with
// write_cache_stats(), so that both print the CacheStats part under the same names.
//
// The caller declares each family (TYPE, optional UNIT, HELP) before its samples, keeps the
// families' names distinct, and passes names that are valid metric names. Sample values are
// printed in the shortest form that reads back as the same number.
//
// Thread-safety: a writer is used by one thread at a time.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <portico/cache/stats.hpp>

namespace portico::cache::internal {

class OpenMetricsWriter {
 public:
  explicit OpenMetricsWriter(std::string_view prefix);

  // Declares the family `<prefix>_<name>` (a counter's name without "_total").
  void family(std::string_view name, std::string_view type, std::string_view help,
              std::string_view unit = {});
  // One sample of `<prefix>_<name>`; `labels` is empty or `key="value",...` already escaped.
  void sample(std::string_view name, std::uint64_t value, std::string_view labels = {});
  void sample(std::string_view name, double value, std::string_view labels = {});

  // Appends "# EOF" and hands the text over.
  std::string finish() &&;

 private:
  void sample_text(std::string_view name, std::string_view value, std::string_view labels);

  std::string prefix_;
  std::string text_;
};

// A label value with backslash, double quote and newline escaped.
std::string openmetrics_label_value(std::string_view text);

// The CacheStats families: entries, hits, misses, hit ratio, memory usage, oldest and newest
// entry, evictions, listener errors (empty optional fields are left out).
void write_cache_stats(OpenMetricsWriter& out, const CacheStats& stats);

}  // namespace portico::cache::internal
