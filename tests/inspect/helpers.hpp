// What the cache-inspect tests share: running the tool, checking its exit code, reading its
// JSON output, and building the fixture cache of fixture.hpp.
#pragma once

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "../support/temp_dir.hpp"
#include "run_process.hpp"

namespace portico::cache::testing::inspect_helpers {

inline RunResult inspect(std::vector<std::string> args, const RunOptions& options = {}) {
  args.insert(args.begin(), CACHE_INSPECT_BINARY);
  return run_process(args, options);
}

// Fails the test with the tool's output when the exit code is not the expected one.
inline void require_exit(const RunResult& result, int code) {
  INFO("stdout: " << result.out);
  INFO("stderr: " << result.err);
  REQUIRE(result.exit_code == code);
}

inline std::vector<nlohmann::json> json_lines(const std::string& text) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    INFO("line: " << line);
    REQUIRE_NOTHROW(lines.push_back(nlohmann::json::parse(line)));
  }
  return lines;
}

inline nlohmann::json json_one(const RunResult& result) {
  const auto lines = json_lines(result.out);
  REQUIRE(lines.size() == 1);
  return lines[0];
}

// Runs the fixture builder with `args`: build DIR, plant DIR, bulk DIR N or deep DIR N (see
// fixture_builder.cpp).
inline void run_fixture_builder(std::vector<std::string> args) {
  args.insert(args.begin(), INSPECT_FIXTURE_BINARY);
  require_exit(run_process(args), 0);
}

inline std::string fixture(const TempDir& dir, const std::string& name = "cache") {
  const std::string path = (dir / name).string();
  run_fixture_builder({"build", path});
  return path;
}

inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace portico::cache::testing::inspect_helpers
