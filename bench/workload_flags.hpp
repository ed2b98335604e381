// The command-line flags both benchmark programs share (the workload, the rounds, the row
// filter and the reports), declared once on a CLI11 app.
//
// --mode picks presets (quick: 20,000 entries and 150 ms per side and round; full: 1,000,000
// entries and 1 s); flags given explicitly win over the preset, wherever they stand.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace portico::bench {

struct WorkloadFlags {
  std::string mode = "quick";
  std::uint64_t entries = 20000;
  std::size_t key_size = 21;
  std::size_t value_size = 100;
  std::chrono::milliseconds duration{150};  // measured time per side and round
  unsigned rounds = 3;
  std::size_t group = 1000;  // entries per tag / namespace / pattern invalidation
  std::size_t batch = 100;   // keys per get_many / MGET
  std::string rows;          // comma-separated globs
  std::string json_path;
  std::string markdown_path;
  std::string command_line;  // as typed, for the reports
};

// Declares the shared flags on `app`, writing into `flags` (which must outlive the parse).
// Call it first: it makes every option declared on `app` afterwards take its last value when
// given twice too.
void add_workload_flags(CLI::App& app, WorkloadFlags& flags);

// After app.parse: applies the --mode presets to the flags not given, and records the command
// line.
void finish_workload_flags(const CLI::App& app, WorkloadFlags& flags, int argc, char** argv);

// Parses argv with `app`; on --help prints it and exits 0, on a bad command line prints the
// error and the help and exits 2.
void parse_or_exit(CLI::App& app, int argc, char** argv);

}  // namespace portico::bench
