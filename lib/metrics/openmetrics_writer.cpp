#include "metrics/openmetrics_writer.hpp"

#include <chrono>

#include <fmt/format.h>

namespace portico::cache::internal {

namespace {

double seconds_since_epoch(TimePoint t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

}  // namespace

OpenMetricsWriter::OpenMetricsWriter(std::string_view prefix) : prefix_(prefix) {}

void OpenMetricsWriter::family(std::string_view name, std::string_view type,
                               std::string_view help, std::string_view unit) {
  fmt::format_to(std::back_inserter(text_), "# TYPE {}_{} {}\n", prefix_, name, type);
  if (!unit.empty()) fmt::format_to(std::back_inserter(text_), "# UNIT {}_{} {}\n", prefix_, name, unit);
  fmt::format_to(std::back_inserter(text_), "# HELP {}_{} {}\n", prefix_, name, help);
}

void OpenMetricsWriter::sample(std::string_view name, std::uint64_t value, std::string_view labels) {
  sample_text(name, fmt::format("{}", value), labels);
}

void OpenMetricsWriter::sample(std::string_view name, double value, std::string_view labels) {
  sample_text(name, fmt::format("{}", value), labels);
}

void OpenMetricsWriter::sample_text(std::string_view name, std::string_view value,
                                    std::string_view labels) {
  if (labels.empty()) {
    fmt::format_to(std::back_inserter(text_), "{}_{} {}\n", prefix_, name, value);
  } else {
    fmt::format_to(std::back_inserter(text_), "{}_{}{{{}}} {}\n", prefix_, name, labels, value);
  }
}

std::string OpenMetricsWriter::finish() && {
  text_ += "# EOF\n";
  return std::move(text_);
}

std::string openmetrics_label_value(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
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

void write_cache_stats(OpenMetricsWriter& out, const CacheStats& stats) {
  out.family("entries", "gauge", "Entries in the cache (expired ones not yet cleaned up included).");
  out.sample("entries", stats.total_entries);
  out.family("hits", "counter", "Reads that found an entry, as the adapter counts them.");
  out.sample("hits_total", stats.total_hits);
  out.family("misses", "counter", "Reads that found no entry, as the adapter counts them.");
  out.sample("misses_total", stats.total_misses);
  out.family("hit_ratio", "gauge", "Hits over reads; 0 without reads.");
  out.sample("hit_ratio", stats.hit_rate);
  if (stats.memory_usage_bytes) {
    out.family("memory_usage_bytes", "gauge", "Memory the cache occupies, as it measures it.",
               "bytes");
    out.sample("memory_usage_bytes", *stats.memory_usage_bytes);
  }
  if (stats.oldest_entry) {
    out.family("oldest_entry_timestamp_seconds", "gauge", "Creation time of the oldest entry.",
               "seconds");
    out.sample("oldest_entry_timestamp_seconds", seconds_since_epoch(*stats.oldest_entry));
  }
  if (stats.newest_entry) {
    out.family("newest_entry_timestamp_seconds", "gauge", "Creation time of the newest entry.",
               "seconds");
    out.sample("newest_entry_timestamp_seconds", seconds_since_epoch(*stats.newest_entry));
  }
  out.family("evictions", "counter", "Entries removed to stay within a size or memory bound.");
  out.sample("evictions_total", stats.evictions);
  out.family("listener_errors", "counter", "Exceptions the event listener threw (caught).");
  out.sample("listener_errors_total", stats.listener_errors);
}

}  // namespace portico::cache::internal
