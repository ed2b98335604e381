// What every command of cache-inspect shares: exit codes, the errors that end a command, the
// global options, and how a command group registers its subcommands.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "output.hpp"

namespace portico::cache::inspect {

// Exit codes, documented in --help, the man page and the README.
enum ExitCode : int {
  kExitOk = 0,       // done; verify found nothing wrong (or repaired all it found)
  kExitProblem = 1,  // verify found problems; get found no entry; damaged data; a failed write
  kExitUsage = 2,    // bad arguments, a cache that cannot be opened, a refused write
};

// Bad arguments or a refused operation: the message is printed, the exit code is 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The cache could not be opened (missing, not a cache, locked for a writing command): exit 2.
class OpenError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Options before the command, shared by all of them.
struct Globals {
  std::string target;  // DIR_OR_URL
  bool json = false;
};

// What a command runs with once the command line is parsed.
struct Context {
  const Globals& globals;
  Output& out;
};

// A parsed subcommand and what to run for it.
struct Command {
  CLI::App* app = nullptr;
  std::function<int(Context&)> run;
};

// Each group adds its subcommands to `app` and their actions to `commands`.
void add_stats_commands(CLI::App& app, std::vector<Command>& commands);
void add_browse_commands(CLI::App& app, std::vector<Command>& commands);      // ls get tags namespaces
void add_remove_commands(CLI::App& app, std::vector<Command>& commands);      // rm cleanup
void add_maintain_commands(CLI::App& app, std::vector<Command>& commands);    // compact verify backup
void add_transfer_commands(CLI::App& app, std::vector<Command>& commands);    // export import

}  // namespace portico::cache::inspect
