#include <string_view>

#include <fmt/format.h>

#include "metrics/openmetrics_writer.hpp"
#include "stats.hpp"

namespace portico::cache::inspect {

std::string stats_openmetrics(const StatsReport& report) {
  // The CacheStats part is the library's, so an application's to_openmetrics() and this
  // command name the same things alike; what only a directory shows follows.
  internal::OpenMetricsWriter out("portico_cache");
  internal::write_cache_stats(out, report.stats);
  out.family("disk_size_bytes", "gauge", "Bytes of all files of the cache directory.", "bytes");
  out.sample("disk_size_bytes", report.disk_bytes);
  out.family("family_keys", "gauge",
             report.exact_counts ? "Keys per column family (counted)."
                                 : "Keys per column family (estimated by RocksDB).");
  for (std::size_t i = 0; i < internal::kFamilyCount; ++i) {
    const auto name = internal::family_name(static_cast<internal::Family>(i));
    out.sample("family_keys", report.family_keys[i],
               fmt::format("family=\"{}\"", internal::openmetrics_label_value(name)));
  }
  out.family("format", "info", "On-disk format of the cache directory.");
  out.sample("format_info", std::uint64_t{1}, fmt::format("version=\"{}\"", report.format_version));
  return std::move(out).finish();
}

}  // namespace portico::cache::inspect
