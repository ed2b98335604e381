// stats: the CacheStats fields, on-disk size, keys per column family, format version.
#include <memory>

#include <fmt/format.h>

#include "cli.hpp"
#include "rocksdb/inspect.hpp"
#include "rocksdb/stats.hpp"
#include "open.hpp"
#include "stats.hpp"

namespace portico::cache::inspect {

StatsReport collect_stats(internal::Database& db, std::string cache, bool live, bool exact) {
  StatsReport report;
  report.cache = std::move(cache);
  report.live = live;
  report.format_version = db.format_version();
  internal::Visibility visibility(db);
  visibility.load();
  report.stats =
      internal::assemble_stats(db, visibility, internal::read_stored_counters(db));
  report.disk_bytes = disk_size(db.dir());
  report.maintenance_failures = static_cast<std::uint64_t>(
      std::max<std::int64_t>(0, db.read_counter(internal::kMetaMaintenanceFailures)));
  report.exact_counts = exact;
  for (std::size_t i = 0; i < internal::kFamilyCount; ++i) {
    const auto family = static_cast<internal::Family>(i);
    report.family_keys[i] = exact ? internal::count_keys(db, family) : internal::estimate_keys(db, family);
  }
  return report;
}

Json stats_json(const StatsReport& report) {
  const CacheStats& s = report.stats;
  Json families = Json::object();
  for (std::size_t i = 0; i < internal::kFamilyCount; ++i) {
    families[std::string(internal::family_name(static_cast<internal::Family>(i)))] =
        report.family_keys[i];
  }
  return Json{
      {"cache", report.cache},
      {"live", report.live},
      {"format_version", report.format_version},
      {"total_entries", s.total_entries},
      {"total_hits", s.total_hits},
      {"total_misses", s.total_misses},
      {"hit_rate", s.hit_rate},
      {"oldest_entry", json_time(s.oldest_entry)},
      {"newest_entry", json_time(s.newest_entry)},
      {"disk_bytes", report.disk_bytes},
      {"evictions", s.evictions},
      {"maintenance_failures", report.maintenance_failures},
      {"family_keys_exact", report.exact_counts},
      {"family_keys", std::move(families)},
  };
}

void print_stats_text(const Output& out, const StatsReport& report) {
  const CacheStats& s = report.stats;
  const Style& style = out.style();
  const auto row = [&](std::string_view name, std::string_view value) {
    out.line(fmt::format("{:<16}{}", fmt::format("{}:", name), value));
  };
  row("cache", report.live ? fmt::format("{} {}", report.cache, style.warn("(live, read-only view)"))
                           : report.cache);
  row("format version", fmt::format("{}", report.format_version));
  row("entries", fmt::format("{}", s.total_entries));
  row("hits", fmt::format("{}", s.total_hits));
  row("misses", fmt::format("{}", s.total_misses));
  row("hit rate", fmt::format("{:.1f}%", s.hit_rate * 100));
  row("oldest entry", s.oldest_entry ? format_time(*s.oldest_entry, true) : "-");
  row("newest entry", s.newest_entry ? format_time(*s.newest_entry, true) : "-");
  row("disk size", fmt::format("{} ({} bytes)", human_size(report.disk_bytes), report.disk_bytes));
  row("evictions", fmt::format("{}", s.evictions));
  row("maint. failures", report.maintenance_failures == 0
                             ? std::string("0")
                             : style.warn(fmt::format("{} (see the application's log)",
                                                      report.maintenance_failures)));
  out.line(style.bold(report.exact_counts ? "keys per column family:"
                                          : "keys per column family (estimated; --exact counts):"));
  for (std::size_t i = 0; i < internal::kFamilyCount; ++i) {
    out.line(fmt::format("  {:<13}{}", internal::family_name(static_cast<internal::Family>(i)),
                         report.family_keys[i]));
  }
  if (report.live) {
    out.line(style.dim("hits and misses are those the running application has flushed to disk"));
  }
}

void add_stats_commands(CLI::App& app, std::vector<Command>& commands) {
  struct Options {
    bool prometheus = false;
    bool exact = false;
  };
  auto options = std::make_shared<Options>();
  CLI::App* stats = app.add_subcommand(
      "stats", "Entry count, hits, misses, hit rate, oldest/newest entry, disk size, keys per "
               "column family, format version");
  stats->add_flag("--prometheus", options->prometheus, "Print OpenMetrics (Prometheus) text");
  stats->add_flag("--exact", options->exact,
                  "Count the keys of each column family (a full scan) instead of estimating");
  commands.push_back(Command{stats, [options](Context& ctx) {
    if (options->prometheus && ctx.globals.json) {
      throw UsageError("--prometheus and --json exclude each other");
    }
    ReadView view(parse_target(ctx.globals.target), ctx.out);
    const StatsReport report =
        collect_stats(view.db(), ctx.globals.target, view.live(), options->exact);
    if (options->prometheus) {
      const std::string text = stats_openmetrics(report);
      std::fwrite(text.data(), 1, text.size(), stdout);
    } else if (ctx.globals.json) {
      ctx.out.json_line(stats_json(report));
    } else {
      print_stats_text(ctx.out, report);
    }
    return kExitOk;
  }});
}

}  // namespace portico::cache::inspect
