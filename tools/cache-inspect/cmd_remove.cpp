// Writing commands that remove entries: rm, cleanup.
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <iostream>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "cli.hpp"
#include "rocksdb/inspect.hpp"
#include "open.hpp"
#include "selection.hpp"

namespace portico::cache::inspect {

namespace {

std::int64_t now_ns() { return internal::to_nanos(std::chrono::system_clock::now()); }

struct RmOptions {
  std::string key;
  std::string ns;
  std::vector<std::string> tags;
  std::string pattern;
  bool dry_run = false;
  bool yes = false;
};

// What one rm removes: exactly one of these forms.
struct RmTarget {
  enum class Kind { key, tags, ns, pattern } kind = Kind::key;
  CacheKey key{};
  std::vector<std::string> tags{};
  std::string ns{};
  std::string pattern{};

  std::string describe() const {
    switch (kind) {
      case Kind::key:
        return key.ns ? fmt::format("entry '{}' of namespace '{}'", printable(key.key), printable(*key.ns))
                      : fmt::format("entry '{}'", printable(key.key));
      case Kind::tags: {
        std::string list;
        for (const auto& tag : tags) list += (list.empty() ? "'" : ", '") + printable(tag) + "'";
        return fmt::format("entries tagged {}", list);
      }
      case Kind::ns:
        return fmt::format("entries of namespace '{}'", printable(ns));
      case Kind::pattern:
        return fmt::format("entries matching '{}'", printable(pattern));
    }
    return {};
  }
};

RmTarget target_of(const RmOptions& options, const CLI::App& command) {
  const bool has_key = command.count("KEY") > 0;
  const bool has_ns = command.count("--ns") > 0;
  const bool has_tags = command.count("--tag") > 0;
  const bool has_pattern = command.count("--pattern") > 0;
  RmTarget target;
  if (has_key) {
    if (has_tags || has_pattern) throw UsageError("rm KEY takes no --tag or --pattern");
    target.kind = RmTarget::Kind::key;
    target.key.key = options.key;
    if (has_ns) target.key.ns = options.ns;
    target.key.validate();
  } else if (has_tags) {
    if (has_ns || has_pattern) throw UsageError("rm --tag takes no --ns or --pattern");
    target.kind = RmTarget::Kind::tags;
    target.tags = options.tags;
    for (const auto& tag : target.tags) {
      if (tag.empty()) throw UsageError("--tag must not be empty");
    }
  } else if (has_pattern) {
    if (has_ns) throw UsageError("rm --pattern takes no --ns (patterns match full keys: 'ns:*')");
    target.kind = RmTarget::Kind::pattern;
    target.pattern = options.pattern;
    KeyPattern::glob(target.pattern);  // a malformed glob is a usage error before anything opens
  } else if (has_ns) {
    target.kind = RmTarget::Kind::ns;
    target.ns = options.ns;
    if (target.ns.empty()) throw UsageError("--ns must not be empty");
  } else {
    throw UsageError("rm needs KEY, --tag TAG..., --ns NS or --pattern GLOB");
  }
  return target;
}

// Every stored entry rm would remove (expired ones included), in stored order.
std::vector<internal::StoredEntry> matches_of(internal::Database& db, const RmTarget& target,
                                              std::int64_t now) {
  std::vector<internal::StoredEntry> found;
  const auto collect = [&](internal::StoredEntry&& entry) {
    found.push_back(std::move(entry));
    return true;
  };
  switch (target.kind) {
    case RmTarget::Kind::key:
      if (auto entry = internal::read_entry(db, target.key)) found.push_back(std::move(*entry));
      break;
    case RmTarget::Kind::tags: {
      std::map<std::string, internal::StoredEntry> unique;  // an entry with two tags goes once
      for (const std::string& tag : target.tags) {
        select_entries(db, Selection{.tag = tag, .expiry = ExpiryFilter::all}, now,
                       [&](internal::StoredEntry&& entry) {
                         std::string id = entry.id;
                         unique.emplace(std::move(id), std::move(entry));
                         return true;
                       });
      }
      for (auto& [id, entry] : unique) found.push_back(std::move(entry));
      break;
    }
    case RmTarget::Kind::ns:
      select_entries(db, Selection{.ns = target.ns, .expiry = ExpiryFilter::all}, now, collect);
      break;
    case RmTarget::Kind::pattern:
      select_entries(db,
                     Selection{.pattern = KeyPattern::glob(target.pattern), .expiry = ExpiryFilter::all},
                     now, collect);
      break;
  }
  return found;
}

std::size_t count_expired(const std::vector<internal::StoredEntry>& entries, std::int64_t now) {
  return static_cast<std::size_t>(std::count_if(
      entries.begin(), entries.end(), [&](const auto& entry) { return entry.expired(now); }));
}

int run_dry_run(Context& ctx, const RmTarget& target) {
  ReadView view(parse_target(ctx.globals.target), ctx.out);
  const std::int64_t now = now_ns();
  const std::vector<internal::StoredEntry> entries = matches_of(view.db(), target, now);
  if (ctx.globals.json) {
    for (const auto& entry : entries) ctx.out.json_line(entry_json(entry, now));
  } else if (!entries.empty()) {
    Table table(ctx.out, entry_header());
    for (const auto& entry : entries) table.add(entry_row(entry, now));
  }
  ctx.out.note(fmt::format("dry run: would remove {} entries ({} of them expired); nothing removed",
                           entries.size(), count_expired(entries, now)));
  return kExitOk;
}

bool confirm(const std::string& question) {
  fmt::print(stderr, "{} [y/N] ", question);
  std::fflush(stderr);
  std::string answer;
  if (!std::getline(std::cin, answer)) return false;
  for (char& c : answer) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return answer == "y" || answer == "yes";
}

int run_rm(Context& ctx, const RmOptions& options, const CLI::App& command) {
  const RmTarget target = target_of(options, command);
  if (options.dry_run) return run_dry_run(ctx, target);
  const bool ask = !options.yes;
  if (ask && ::isatty(STDIN_FILENO) != 1) {
    throw UsageError(
        "refusing to remove entries without confirmation: stdin is not a terminal; pass --yes "
        "(or look first with --dry-run)");
  }
  const Target cache = parse_target(ctx.globals.target);
  const std::unique_ptr<RocksDBCacheAdapter> adapter = open_adapter(cache, "remove entries");
  if (ask) {
    std::size_t count = 0;
    std::size_t expired = 0;
    {
      // We hold the lock, so this lock-free view sees exactly what the removal will find.
      ReadView view(cache, ctx.out, LiveView::follow, LockHolder::us);
      const std::int64_t now = now_ns();
      const auto entries = matches_of(view.db(), target, now);
      count = entries.size();
      expired = count_expired(entries, now);
    }
    if (count == 0) {
      ctx.out.note(fmt::format("nothing to remove: no {}", target.describe()));
      if (ctx.globals.json) ctx.out.json_line(Json{{"removed", 0}});
      return kExitOk;
    }
    const std::string question =
        fmt::format("remove the {} ({} {}, {} expired) from {}?", target.describe(), count,
                    count == 1 ? "entry" : "entries", expired, cache.spelled);
    if (!confirm(question)) {
      ctx.out.note("nothing removed");
      if (ctx.globals.json) ctx.out.json_line(Json{{"removed", 0}});
      return kExitOk;
    }
  }
  std::size_t removed = 0;
  switch (target.kind) {
    case RmTarget::Kind::key:
      removed = adapter->erase(target.key) ? 1 : 0;
      break;
    case RmTarget::Kind::tags:
      removed = adapter->erase_by_tags(target.tags);
      break;
    case RmTarget::Kind::ns:
      removed = adapter->erase_by_namespace(target.ns);
      break;
    case RmTarget::Kind::pattern:
      removed = adapter->erase_by_pattern(target.pattern);
      break;
  }
  if (ctx.globals.json) {
    ctx.out.json_line(Json{{"removed", removed}});
  } else {
    ctx.out.line(fmt::format("removed {} live {} (expired matches were removed too)", removed,
                             removed == 1 ? "entry" : "entries"));
  }
  return kExitOk;
}

int run_cleanup(Context& ctx) {
  const std::unique_ptr<RocksDBCacheAdapter> adapter =
      open_adapter(parse_target(ctx.globals.target), "clean up expired entries");
  const std::size_t removed = adapter->cleanup_expired();
  if (ctx.globals.json) {
    ctx.out.json_line(Json{{"removed", removed}});
  } else {
    ctx.out.line(fmt::format("removed {} expired {}", removed, removed == 1 ? "entry" : "entries"));
  }
  return kExitOk;
}

}  // namespace

void add_remove_commands(CLI::App& app, std::vector<Command>& commands) {
  {
    auto options = std::make_shared<RmOptions>();
    CLI::App* rm = app.add_subcommand(
        "rm", "Remove one entry (KEY [--ns NS]), or all entries with any of some tags (--tag), "
              "of a namespace (--ns) or matching a glob (--pattern)");
    rm->add_option("KEY", options->key, "The key to remove (within --ns when given)");
    rm->add_option("--ns", options->ns, "KEY's namespace; without KEY: remove the whole namespace");
    rm->add_option("--tag", options->tags, "Remove entries carrying any of these tags")
        ->expected(1, -1);
    rm->add_option("--pattern", options->pattern, "Remove entries whose full key matches this glob");
    rm->add_flag("--dry-run,-n", options->dry_run, "List what would be removed; remove nothing");
    rm->add_flag("--yes,-y", options->yes, "Do not ask for confirmation (needed when stdin is not a terminal)");
    commands.push_back(Command{rm, [options, rm](Context& ctx) { return run_rm(ctx, *options, *rm); }});
  }
  {
    CLI::App* cleanup = app.add_subcommand("cleanup", "Remove expired entries");
    commands.push_back(Command{cleanup, [](Context& ctx) { return run_cleanup(ctx); }});
  }
}

}  // namespace portico::cache::inspect
