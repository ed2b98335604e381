// Maintenance commands: compact, verify [--repair], backup.
#include <chrono>
#include <memory>

#include <fmt/format.h>
#include <fmt/std.h>
#include <rocksdb/utilities/checkpoint.h>

#include "cli.hpp"
#include "rocksdb/inspect.hpp"
#include "rocksdb/verify.hpp"
#include "open.hpp"
#include "private_files.hpp"
#include "progress.hpp"

namespace portico::cache::inspect {

namespace {

// --- compact -------------------------------------------------------------------------------

int run_compact(Context& ctx) {
  const Target target = parse_target(ctx.globals.target);
  std::unique_ptr<RocksDBCacheAdapter> adapter = open_adapter(target, "compact the cache");
  const std::uint64_t before = disk_size(target.dir);
  {
    Spinner spinner("compacting");
    adapter->compact();
  }
  adapter.reset();  // files the compaction made obsolete are gone once the cache is closed
  const std::uint64_t after = disk_size(target.dir);
  if (ctx.globals.json) {
    ctx.out.json_line(Json{{"compacted", true}, {"disk_bytes_before", before}, {"disk_bytes_after", after}});
  } else {
    ctx.out.line(fmt::format("compacted: {} -> {} on disk", human_size(before), human_size(after)));
  }
  return kExitOk;
}

// --- verify --------------------------------------------------------------------------------

std::uint64_t estimated_keys(internal::Database& db) {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < internal::kFamilyCount; ++i) {
    total += internal::estimate_keys(db, static_cast<internal::Family>(i));
  }
  return total;
}

internal::VerifyReport verify_with_progress(internal::Database& db, bool repair) {
  ProgressBar bar(repair ? "verifying and repairing" : "verifying", estimated_keys(db), "keys");
  internal::VerifyReport report = internal::verify_database(
      db, repair, std::chrono::system_clock::now(), [&](std::uint64_t done) { bar.update(done); });
  bar.finish();
  return report;
}

Json report_json(const internal::VerifyReport& report, bool clean_after_repair) {
  return Json{
      {"ok", report.ok()},
      {"entries", report.entries},
      {"index_entries", report.index_entries},
      {"stored_count", report.stored_count},
      {"expected_count", report.expected_count},
      {"problems", report.problems},
      {"repaired", report.repaired && clean_after_repair},
  };
}

int run_verify(Context& ctx, bool repair) {
  const Target target = parse_target(ctx.globals.target);
  internal::VerifyReport report;
  bool clean_after_repair = false;
  if (repair) {
    std::unique_ptr<internal::Database> db = open_database(target, "repair the cache");
    report = verify_with_progress(*db, true);
    if (report.repaired) clean_after_repair = internal::verify_database(*db, false, std::chrono::system_clock::now()).ok();
  } else {
    ReadView view(target, ctx.out, LiveView::snapshot);
    report = verify_with_progress(view.db(), false);
  }

  if (ctx.globals.json) {
    ctx.out.json_line(report_json(report, clean_after_repair));
  } else {
    const Style& style = ctx.out.style();
    ctx.out.line(fmt::format("checked {} entries and {} index entries; entry count {} (recount {})",
                             report.entries, report.index_entries, report.stored_count,
                             report.expected_count));
    if (report.ok()) {
      ctx.out.line(style.good("ok: no problems found"));
    } else {
      ctx.out.line(style.bad(fmt::format("{} {} found:", report.problems.size(),
                                         report.problems.size() == 1 ? "problem" : "problems")));
      for (const std::string& problem : report.problems) ctx.out.line("  - " + problem);
      if (!repair) {
        ctx.out.line("run verify --repair on a cache no application has open to fix them");
      } else if (clean_after_repair) {
        ctx.out.line(style.good("repaired: a second check finds no problems"));
      } else {
        ctx.out.line(style.bad("the repair did not fix everything: a second check still finds problems"));
      }
    }
  }
  if (report.ok()) return kExitOk;
  return repair && clean_after_repair ? kExitOk : kExitProblem;
}

// --- backup --------------------------------------------------------------------------------

// The checkpoint is made inside a private staging directory next to DEST and moved to DEST
// only when complete, so nothing anyone planted near DEST (a DEST.tmp link, say) is followed,
// and DEST is never half-written. Everything it creates is private, whatever the umask.
int run_backup(Context& ctx, std::string destination) {
  const Target target = parse_target(ctx.globals.target);
  while (destination.size() > 1 && destination.back() == '/') destination.pop_back();
  const std::filesystem::path dest(destination);
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::symlink_status(dest, error);
  if (std::filesystem::is_symlink(status)) {
    throw UsageError(fmt::format("{} is a symbolic link: backup writes a new directory", dest));
  }
  if (std::filesystem::exists(status)) {
    throw UsageError(fmt::format("{} exists: backup writes a new directory", dest));
  }
  std::unique_ptr<internal::Database> db = open_database(target, "back up the cache");
  const std::filesystem::path parent = dest.has_parent_path() ? dest.parent_path() : ".";
  create_private_directories(parent);
  const StagingDirectory staging(parent, dest.filename().string());
  const std::filesystem::path checkpoint_dir = staging.path() / "checkpoint";
  {
    // Files RocksDB copies or writes are created private...
    const UmaskScope umask(077);
    rocksdb::Checkpoint* raw = nullptr;
    internal::check(rocksdb::Checkpoint::Create(&db->db(), &raw), "preparing the checkpoint");
    const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
    internal::check(checkpoint->CreateCheckpoint(checkpoint_dir.string()),
                    fmt::format("writing the checkpoint to {}", dest));
  }
  // ...but the files it hard-links from the cache keep the cache's own modes: make them
  // private too (for the cache's links as well, as the cache's files should be).
  make_tree_private(checkpoint_dir);
  try {
    rename_no_replace(checkpoint_dir, dest);
  } catch (const UsageError&) {
    throw UsageError(fmt::format("{} exists: backup writes a new directory", dest));
  }
  sync_directory(parent);
  const auto entries = db->read_counter(internal::kMetaEntryCount);
  const std::uint64_t bytes = disk_size(dest);
  if (ctx.globals.json) {
    ctx.out.json_line(Json{{"backup", dest.string()}, {"entries", entries}, {"disk_bytes", bytes}});
  } else {
    ctx.out.line(fmt::format("backup of {} entries written to {} ({}); it opens like any cache directory",
                             entries, dest.string(), human_size(bytes)));
  }
  return kExitOk;
}

}  // namespace

void add_maintain_commands(CLI::App& app, std::vector<Command>& commands) {
  {
    CLI::App* compact = app.add_subcommand(
        "compact", "Compact every column family (expired entries are dropped on the way)");
    commands.push_back(Command{compact, [](Context& ctx) { return run_compact(ctx); }});
  }
  {
    auto repair = std::make_shared<bool>(false);
    CLI::App* verify = app.add_subcommand(
        "verify", "Check that every index entry points at a live entry with matching tags, "
                  "namespace and expiry, that every entry is indexed and that the entry count "
                  "matches a recount; exit 1 with a report on any mismatch");
    verify->add_flag("--repair", *repair,
                     "Fix what was found (exit 0 when a second check is clean); needs a cache no "
                     "application has open");
    commands.push_back(Command{verify, [repair](Context& ctx) { return run_verify(ctx, *repair); }});
  }
  {
    auto destination = std::make_shared<std::string>();
    CLI::App* backup = app.add_subcommand(
        "backup", "Write a consistent copy of the cache (a RocksDB checkpoint) to a new directory");
    backup->add_option("DEST", *destination, "The directory to create")->required();
    commands.push_back(Command{backup, [destination](Context& ctx) { return run_backup(ctx, *destination); }});
  }
}

}  // namespace portico::cache::inspect
