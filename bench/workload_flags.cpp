#include "workload_flags.hpp"

#include <cstdlib>
#include <iostream>
#include <limits>

namespace portico::bench {

void add_workload_flags(CLI::App& app, WorkloadFlags& flags) {
  // A flag given twice takes its last value, so that arguments appended to a fixed command
  // line (`tools/dev bench -- --mode full` after meson's `--mode quick`) override it.
  app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  constexpr auto most = std::numeric_limits<std::uint64_t>::max();
  app.add_option("--mode", flags.mode,
                 "quick (20,000 entries, 150 ms per side and round) or full (1,000,000 entries, "
                 "1 s); explicit flags override the preset")
      ->check(CLI::IsMember({"quick", "full"}));
  app.add_option("--entries", flags.entries, "entries in the cache (and in each baseline)")
      ->check(CLI::Range(std::uint64_t{100}, most));
  app.add_option("--key-size", flags.key_size, "key bytes (default 21)")
      ->check(CLI::Range(std::size_t{8}, std::size_t{1} << 20));
  app.add_option("--value-size", flags.value_size, "value bytes (default 100)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  app.add_option_function<std::uint64_t>(
         "--duration-ms",
         [&flags](std::uint64_t ms) { flags.duration = std::chrono::milliseconds(ms); },
         "measured time per side and round of a row")
      ->check(CLI::Range(std::uint64_t{1}, most));
  app.add_option("--rounds", flags.rounds,
                 "rounds per row (default 3); sides alternate within each round")
      ->check(CLI::Range(1u, 1000u));
  app.add_option("--group", flags.group,
                 "entries per tag / namespace / pattern invalidation (default 1000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  app.add_option("--batch", flags.batch, "keys per get_many / MGET (default 100)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option("--rows", flags.rows,
                 "run only the rows whose names match these globs (e.g. 'rocksdb.get*,memory.*')");
  app.add_option("--json", flags.json_path, "write the results as JSON to this file");
  app.add_option("--markdown", flags.markdown_path, "write the markdown tables to this file");
}

void finish_workload_flags(const CLI::App& app, WorkloadFlags& flags, int argc, char** argv) {
  const bool full = flags.mode == "full";
  if (app.count("--entries") == 0) flags.entries = full ? 1000000 : 20000;
  if (app.count("--duration-ms") == 0) flags.duration = std::chrono::milliseconds(full ? 1000 : 150);
  flags.command_line.clear();
  for (int i = 0; i < argc; ++i) {
    if (i > 0) flags.command_line += ' ';
    flags.command_line += argv[i];
  }
}

void parse_or_exit(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    std::exit(app.exit(e));
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    std::cerr << '\n' << app.help();
    std::exit(2);
  }
}

}  // namespace portico::bench
