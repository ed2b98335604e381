// Reading commands that browse entries: ls, get, tags, namespaces.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include <fmt/format.h>

#include <portico/cache/errors.hpp>

#include "cli.hpp"
#include "core/value_access.hpp"
#include "rocksdb/inspect.hpp"
#include "open.hpp"
#include "selection.hpp"

namespace portico::cache::inspect {

namespace {

std::int64_t now_ns() { return internal::to_nanos(std::chrono::system_clock::now()); }

// --- ls ------------------------------------------------------------------------------------

struct LsOptions {
  std::string ns;
  std::string tag;
  std::string pattern;
  bool expired = false;
  bool all = false;
  std::size_t limit = 0;
  std::string after;
};

int run_ls(Context& ctx, const LsOptions& options, const CLI::App& command) {
  Selection selection;
  if (command.count("--ns") > 0) selection.ns = options.ns;
  if (command.count("--tag") > 0) selection.tag = options.tag;
  if (command.count("--pattern") > 0) {
    try {
      selection.pattern = KeyPattern::glob(options.pattern);
    } catch (const std::invalid_argument& e) {
      throw UsageError(fmt::format("--pattern: {}", e.what()));
    }
  }
  if (options.expired) selection.expiry = ExpiryFilter::expired;
  if (options.all) selection.expiry = ExpiryFilter::all;
  if (command.count("--after") > 0) selection.after = options.after;

  ReadView view(parse_target(ctx.globals.target), ctx.out);
  const std::int64_t now = now_ns();
  std::unique_ptr<Table> table;
  if (!ctx.globals.json) table = std::make_unique<Table>(ctx.out, entry_header());

  std::size_t shown = 0;
  std::string last_full_key;
  bool more = false;
  select_entries(view.db(), selection, now, [&](internal::StoredEntry&& entry) {
    std::string full_key = entry.key.full_key();
    // A page ends only between different full keys, so --after FULL_KEY resumes exactly.
    if (options.limit > 0 && shown >= options.limit && full_key != last_full_key) {
      more = true;
      return false;
    }
    if (table) {
      table->add(entry_row(entry, now));
    } else {
      ctx.out.json_line(entry_json(entry, now));
    }
    ++shown;
    last_full_key = std::move(full_key);
    return true;
  });
  table.reset();
  if (!ctx.globals.json && shown == 0) ctx.out.note("no entries match");
  if (more) {
    ctx.out.note(fmt::format("more entries follow; continue with --after '{}'",
                             printable(last_full_key)));
  }
  return kExitOk;
}

// --- get -----------------------------------------------------------------------------------

struct GetOptions {
  std::string key;
  std::string ns;
  bool raw = false;
};

std::string describe(const CacheKey& key) {
  return key.ns ? fmt::format("'{}' in namespace '{}'", printable(key.key), printable(*key.ns))
                : fmt::format("'{}' (no namespace)", printable(key.key));
}

int run_get(Context& ctx, const GetOptions& options, const CLI::App& command) {
  CacheKey key{.key = options.key};
  if (command.count("--ns") > 0) key.ns = options.ns;
  try {
    key.validate();
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (options.raw && ::isatty(STDOUT_FILENO) == 1) {
    throw UsageError("--raw writes binary msgpack: redirect stdout to a file or a pipe");
  }
  if (options.raw && ctx.globals.json) throw UsageError("--raw and --json exclude each other");

  ReadView view(parse_target(ctx.globals.target), ctx.out);
  const std::int64_t now = now_ns();
  const std::optional<internal::StoredEntry> entry = internal::read_entry(view.db(), key);
  if (!entry) {
    if (ctx.globals.json) {
      ctx.out.json_line(Json{{"found", false},
                             {"key", key.key},
                             {"ns", key.ns ? Json(*key.ns) : Json(nullptr)},
                             {"full_key", key.full_key()}});
    }
    ctx.out.error(fmt::format("no entry {}", describe(key)));
    for (const CacheKey& other : internal::keys_with_full_key(view.db(), key.full_key())) {
      ctx.out.note(fmt::format("the full key '{}' is stored as {}{}", printable(key.full_key()),
                               describe(other),
                               other.ns ? fmt::format(": try --ns '{}'", printable(*other.ns))
                                        : std::string(": try without --ns")));
    }
    return kExitProblem;
  }
  if (entry->expired(now)) {
    ctx.out.note("this entry has expired: the cache reports a miss for it until cleanup removes it");
  }
  if (options.raw) {
    std::fwrite(entry->value_msgpack.data(), 1, entry->value_msgpack.size(), stdout);
    return kExitOk;
  }
  const Value value = detail::ValueAccess::adopt(entry->value_msgpack);
  Json rendered;
  try {
    rendered = Json::parse(value.to_json());
  } catch (const std::exception& e) {
    throw CorruptionError(fmt::format("the value of {} cannot be shown: {}", describe(key), e.what()));
  }
  if (ctx.globals.json) {
    Json document{{"found", true}};
    document.update(entry_json(*entry, now));
    document["value"] = std::move(rendered);
    ctx.out.json_line(document);
    return kExitOk;
  }
  const Style& style = ctx.out.style();
  const auto row = [&](std::string_view name, std::string_view text) {
    ctx.out.line(fmt::format("{:<14}{}", fmt::format("{}:", name), text));
  };
  const TimePoint now_tp = internal::from_nanos(now);
  row("full key", printable(entry->key.full_key()));
  row("key", printable(entry->key.key));
  row("namespace", entry->key.ns ? printable(*entry->key.ns) : "-");
  std::string tags;
  for (const std::string& tag : entry->key.tags) tags += (tags.empty() ? "" : ", ") + printable(tag);
  row("tags", tags.empty() ? "-" : tags);
  row("size", fmt::format("{} ({} bytes of msgpack)", human_size(entry->value_msgpack.size()),
                          entry->value_msgpack.size()));
  row("created", format_time(internal::from_nanos(entry->header.created_ns), true));
  if (!entry->header.expires_ns) {
    row("expires", "never");
  } else {
    const TimePoint at = internal::from_nanos(*entry->header.expires_ns);
    const std::string when = fmt::format("{} ({})", format_time(at, true), relative_time(at, now_tp));
    row("expires", entry->expired(now) ? style.warn("EXPIRED " + when) : when);
  }
  row("hits", fmt::format("{}", entry->header.hit_count));
  row("last access", format_time(internal::from_nanos(entry->header.last_accessed_ns), true));
  ctx.out.line(style.bold("value:"));
  ctx.out.line(rendered.dump(2, ' ', false, Json::error_handler_t::replace));
  return kExitOk;
}

// --- tags / namespaces ---------------------------------------------------------------------

int run_groups(Context& ctx, internal::Family family) {
  ReadView view(parse_target(ctx.globals.target), ctx.out);
  const std::vector<internal::GroupCount> counts =
      internal::count_groups(view.db(), family, now_ns());
  const char* name = family == internal::Family::tags ? "tag" : "namespace";
  if (ctx.globals.json) {
    for (const auto& count : counts) {
      ctx.out.json_line(Json{{name, count.name}, {"entries", count.live}, {"expired", count.expired}});
    }
    return kExitOk;
  }
  if (counts.empty()) {
    ctx.out.note(family == internal::Family::tags ? "no tagged entries" : "no entries in namespaces");
    return kExitOk;
  }
  Table table(ctx.out, {family == internal::Family::tags ? "TAG" : "NAMESPACE", "ENTRIES", "EXPIRED"});
  for (const auto& count : counts) {
    table.add({{.text = printable(count.name)},
               {.text = fmt::format("{}", count.live)},
               {.text = fmt::format("{}", count.expired)}});
  }
  return kExitOk;
}

}  // namespace

void add_browse_commands(CLI::App& app, std::vector<Command>& commands) {
  {
    auto options = std::make_shared<LsOptions>();
    CLI::App* ls = app.add_subcommand(
        "ls", "List entries in full-key order, streaming: key, namespace, tags, size, created, "
              "expires, hits");
    ls->add_option("--ns", options->ns, "Only entries of this namespace");
    ls->add_option("--tag", options->tag, "Only entries carrying this tag");
    ls->add_option("--pattern", options->pattern,
                   "Only entries whose full key matches this glob (*, ?, [a-z], \\ escapes)");
    auto* expired = ls->add_flag("--expired", options->expired,
                                 "Only expired entries not yet cleaned up (default: only live ones)");
    ls->add_flag("--all", options->all, "Live and expired entries")->excludes(expired);
    ls->add_option("--limit", options->limit, "Show at most N entries (a page)")
        ->check(CLI::PositiveNumber);
    ls->add_option("--after", options->after,
                   "Start after this full key (the last one of the previous page)");
    commands.push_back(Command{ls, [options, ls](Context& ctx) { return run_ls(ctx, *options, *ls); }});
  }
  {
    auto options = std::make_shared<GetOptions>();
    CLI::App* get = app.add_subcommand(
        "get", "Show one entry: its metadata and its value as JSON (binary as base64); counts no hit");
    get->add_option("KEY", options->key, "The key within its namespace")->required();
    get->add_option("--ns", options->ns, "The entry's namespace (default: none)");
    get->add_flag("--raw", options->raw, "Write the value's msgpack bytes to stdout");
    commands.push_back(Command{get, [options, get](Context& ctx) { return run_get(ctx, *options, *get); }});
  }
  {
    CLI::App* tags = app.add_subcommand("tags", "Every tag with its number of entries");
    commands.push_back(Command{tags, [](Context& ctx) { return run_groups(ctx, internal::Family::tags); }});
  }
  {
    CLI::App* namespaces = app.add_subcommand("namespaces", "Every namespace with its number of entries");
    commands.push_back(Command{namespaces, [](Context& ctx) {
      return run_groups(ctx, internal::Family::namespaces);
    }});
  }
}

}  // namespace portico::cache::inspect
