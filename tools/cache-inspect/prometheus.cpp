#include <chrono>
#include <string_view>

#include <fmt/format.h>

#include "stats.hpp"

namespace portico::cache::inspect {

namespace {

// Label values escape backslash, double quote and newline.
std::string label_value(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\\' || c == '"') {
      out.push_back('\\');
      out.push_back(c);
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help,
              std::string_view unit = {}) {
    text_ += fmt::format("# TYPE {} {}\n", name, type);
    if (!unit.empty()) text_ += fmt::format("# UNIT {} {}\n", name, unit);
    text_ += fmt::format("# HELP {} {}\n", name, help);
  }
  template <class T>
  void sample(std::string_view name, T value, std::string_view labels = {}) {
    if (labels.empty()) {
      text_ += fmt::format("{} {}\n", name, value);
    } else {
      text_ += fmt::format("{}{{{}}} {}\n", name, labels, value);
    }
  }
  std::string finish() && {
    text_ += "# EOF\n";
    return std::move(text_);
  }

 private:
  std::string text_;
};

double seconds_since_epoch(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

std::string stats_openmetrics(const StatsReport& report) {
  const CacheStats& s = report.stats;
  Exposition out;
  out.family("portico_cache_entries", "gauge",
             "Entries in the cache (expired ones not yet cleaned up included).");
  out.sample("portico_cache_entries", s.total_entries);
  out.family("portico_cache_hits", "counter", "Reads that found an entry, as last flushed to disk.");
  out.sample("portico_cache_hits_total", s.total_hits);
  out.family("portico_cache_misses", "counter", "Reads that found no entry, as last flushed to disk.");
  out.sample("portico_cache_misses_total", s.total_misses);
  out.family("portico_cache_hit_ratio", "gauge", "Hits over reads; 0 without reads.");
  out.sample("portico_cache_hit_ratio", s.hit_rate);
  out.family("portico_cache_disk_size_bytes", "gauge", "Bytes of all files of the cache directory.",
             "bytes");
  out.sample("portico_cache_disk_size_bytes", report.disk_bytes);
  if (s.oldest_entry) {
    out.family("portico_cache_oldest_entry_timestamp_seconds", "gauge",
               "Creation time of the oldest entry.", "seconds");
    out.sample("portico_cache_oldest_entry_timestamp_seconds", seconds_since_epoch(*s.oldest_entry));
  }
  if (s.newest_entry) {
    out.family("portico_cache_newest_entry_timestamp_seconds", "gauge",
               "Creation time of the newest entry.", "seconds");
    out.sample("portico_cache_newest_entry_timestamp_seconds", seconds_since_epoch(*s.newest_entry));
  }
  out.family("portico_cache_family_keys", "gauge",
             report.exact_counts ? "Keys per column family (counted)."
                                 : "Keys per column family (estimated by RocksDB).");
  for (std::size_t i = 0; i < internal::kFamilyCount; ++i) {
    const auto name = internal::family_name(static_cast<internal::Family>(i));
    out.sample("portico_cache_family_keys", report.family_keys[i],
               fmt::format("family=\"{}\"", label_value(name)));
  }
  out.family("portico_cache_format", "info", "On-disk format of the cache directory.");
  out.sample("portico_cache_format_info", 1,
             fmt::format("version=\"{}\"", report.format_version));
  return std::move(out).finish();
}

}  // namespace portico::cache::inspect
