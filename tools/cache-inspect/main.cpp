// cache-inspect: look into, check, repair, export and import portico-cache directories, even
// while an application has them open.
//
//   cache-inspect [--json] DIR_OR_URL COMMAND [ARGS...]
//
// Exit codes: 0 ok, 1 a problem was found, 2 bad usage or the cache could not be opened (see
// cli.hpp and the man page).
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <portico/cache/errors.hpp>
#include <portico/cache/version.hpp>

#include "cli.hpp"

namespace portico::cache::inspect {

namespace {

constexpr const char* kFooter = R"(DIR_OR_URL is a cache directory or rocksdb://DIR.
Reading commands (stats, ls, get, tags, namespaces, verify, export, rm --dry-run) never take
the cache's lock: on a cache an application has open they show a live read-only view.
Writing commands (rm, cleanup, compact, verify --repair, import, backup) refuse a cache in use.

Exit codes:
  0  done (verify: no problems, or all of them repaired)
  1  a problem was found: verify found inconsistencies, get found no entry, the cache
     data is damaged, or an operation failed midway
  2  bad usage, the cache cannot be opened, or the command was refused (cache in use,
     no confirmation)

Output is text for people; --json prints JSON (one object per line for listings).
Colour only on a terminal, never with NO_COLOR set. See cache-inspect(1).)";

int run(int argc, char** argv) {
  Globals globals;
  CLI::App app{"Look into, check and repair portico-cache directories, even live ones.",
               "cache-inspect"};
  app.set_version_flag("--version", std::string("cache-inspect (portico-cache) ") + PORTICO_CACHE_VERSION);
  app.add_flag("--json", globals.json, "Print JSON: one object per line for listings");
  // Required, but checked after parsing: declared required, CLI11 would take a command name in
  // its place, and `cache-inspect ls --help` would show the wrong help.
  app.add_option("DIR_OR_URL", globals.target, "The cache: a directory or rocksdb://DIR (required)");
  app.require_subcommand(1);
  app.fallthrough();  // global options may also follow the command
  app.footer(kFooter);

  std::vector<Command> commands;
  add_stats_commands(app, commands);
  add_browse_commands(app, commands);
  add_remove_commands(app, commands);
  add_maintain_commands(app, commands);
  add_transfer_commands(app, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a pointer to --help
    return kExitUsage;
  }

  Output out(globals.json);
  Context ctx{globals, out};
  if (globals.target.empty()) {
    out.error("DIR_OR_URL is required: cache-inspect [--json] DIR_OR_URL COMMAND ...");
    return kExitUsage;
  }
  try {
    for (const Command& command : commands) {
      if (command.app->parsed()) {
        const int code = command.run(ctx);
        std::fflush(stdout);
        return code;
      }
    }
    out.error("no command given");
    return kExitUsage;
  } catch (const UsageError& e) {
    out.error(e.what());
    return kExitUsage;
  } catch (const OpenError& e) {
    out.error(e.what());
    return kExitUsage;
  } catch (const std::invalid_argument& e) {
    out.error(e.what());
    return kExitUsage;
  } catch (const CorruptionError& e) {
    out.error(fmt::format("the cache data is damaged: {} (run verify)", e.what()));
    return kExitProblem;
  } catch (const std::exception& e) {
    out.error(e.what());
    return kExitProblem;
  }
}

}  // namespace

}  // namespace portico::cache::inspect

int main(int argc, char** argv) { return portico::cache::inspect::run(argc, argv); }
