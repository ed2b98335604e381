// What `stats` reports about a cache, and its three renderings: text, JSON, OpenMetrics.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include <portico/cache/stats.hpp>

#include "rocksdb/database.hpp"
#include "output.hpp"

namespace portico::cache::inspect {

struct StatsReport {
  std::string cache;  // as named on the command line
  bool live = false;  // read from a secondary instance following a running application
  std::uint32_t format_version = 0;
  CacheStats stats{};  // memory_usage_bytes stays empty: it belongs to the owning process
  std::uint64_t disk_bytes = 0;
  std::uint64_t maintenance_failures = 0;  // failed maintenance chores, as the writer flushed them
  bool exact_counts = false;  // family key counts counted (true) or estimated by RocksDB
  std::array<std::uint64_t, internal::kFamilyCount> family_keys{};
};

StatsReport collect_stats(internal::Database& db, std::string cache, bool live, bool exact);
Json stats_json(const StatsReport& report);
void print_stats_text(const Output& out, const StatsReport& report);
// OpenMetrics text exposition (# TYPE / # HELP / # UNIT lines, "# EOF" last).
std::string stats_openmetrics(const StatsReport& report);

}  // namespace portico::cache::inspect
