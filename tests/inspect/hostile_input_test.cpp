// cache-inspect facing hostile input: deeply nested values, stored or imported, and lines
// without end. A clear error and an exit code, never a crash.
#include <doctest/doctest.h>

#include <csignal>
#include <filesystem>
#include <string>

#include <portico/cache/limits.hpp>

#include "../support/nested_value.hpp"
#include "../support/temp_dir.hpp"
#include "helpers.hpp"
#include "util/base64.hpp"

using portico::cache::kMaxValueDepth;
using portico::cache::testing::nested_array_bytes;
using portico::cache::testing::RunResult;
using portico::cache::testing::TempDir;
using portico::cache::testing::inspect_helpers::inspect;
using portico::cache::testing::inspect_helpers::json_lines;
using portico::cache::testing::inspect_helpers::read_file;
using portico::cache::testing::inspect_helpers::require_exit;
using portico::cache::testing::inspect_helpers::run_fixture_builder;
using portico::cache::testing::inspect_helpers::write_file;
namespace fs = std::filesystem;

namespace {

class IgnoredSigpipe {
 public:
  IgnoredSigpipe() : previous_(std::signal(SIGPIPE, SIG_IGN)) {}
  ~IgnoredSigpipe() { std::signal(SIGPIPE, previous_); }
  IgnoredSigpipe(const IgnoredSigpipe&) = delete;
  IgnoredSigpipe& operator=(const IgnoredSigpipe&) = delete;

 private:
  void (*previous_)(int);
};

bool mentions(const RunResult& result, const std::string& text) {
  return result.err.find(text) != std::string::npos;
}

}  // namespace

TEST_CASE("import refuses a 600 KB line of nested arrays with a clear error, importing nothing") {
  TempDir dir("inspect");
  const std::string copy = (dir / "copy").string();
  const fs::path file = dir / "deep.jsonl";
  const std::size_t depth = 300'000;  // 600 KB of brackets
  write_file(file, R"({"key":"ok","value":1})"
                   "\n"
                   R"({"key":"deep","value":)" +
                       std::string(depth, '[') + std::string(depth, ']') + "}\n");

  const RunResult refused = inspect({copy, "import", file.string()});
  require_exit(refused, 2);
  CHECK(mentions(refused, "deep.jsonl:2:"));
  CHECK(mentions(refused, "kMaxValueDepth"));
  CHECK(mentions(refused, "nothing was imported"));
  CHECK_FALSE(fs::exists(copy));  // checked before the cache was even created

  // The same through a pipe, read once: refused at that line.
  const RunResult piped = inspect({copy, "import", "-"}, {.input = read_file(file)});
  require_exit(piped, 2);
  CHECK(mentions(piped, "stdin:2:"));
  CHECK(mentions(piped, "kMaxValueDepth"));
}

TEST_CASE("import accepts values nested kMaxValueDepth deep and refuses one level more") {
  TempDir dir("inspect");
  const std::string copy = (dir / "copy").string();
  const auto line = [](const std::string& key, std::size_t depth) {
    return R"({"key":")" + key + R"(","value":)" + std::string(depth, '[') + std::string(depth, ']') + "}\n";
  };
  write_file(dir / "deepest.jsonl", line("deepest", kMaxValueDepth));
  require_exit(inspect({copy, "import", (dir / "deepest.jsonl").string()}), 0);
  require_exit(inspect({copy, "get", "deepest"}), 0);

  write_file(dir / "deeper.jsonl", line("deeper", kMaxValueDepth + 1));
  const RunResult refused = inspect({copy, "import", (dir / "deeper.jsonl").string()});
  require_exit(refused, 2);
  CHECK(mentions(refused, "kMaxValueDepth"));

  // As base64 msgpack bytes, too.
  const std::string encoded =
      portico::cache::internal::base64_encode(nested_array_bytes(kMaxValueDepth + 1));
  write_file(dir / "bytes.jsonl", R"({"key":"b","value_msgpack_base64":")" + encoded + "\"}\n");
  const RunResult bytes = inspect({copy, "import", (dir / "bytes.jsonl").string()});
  require_exit(bytes, 2);
  CHECK(mentions(bytes, "kMaxValueDepth"));
}

TEST_CASE("import refuses a line longer than --max-line-bytes, from a file or a pipe") {
  TempDir dir("inspect");
  const std::string copy = (dir / "copy").string();
  const fs::path file = dir / "long.jsonl";
  const std::string long_line = R"({"key":"long","value":")" + std::string(5000, 'x') + "\"}\n";
  write_file(file, R"({"key":"short","value":1})" "\n" + long_line);

  const RunResult refused = inspect({copy, "import", file.string(), "--max-line-bytes", "1000"});
  require_exit(refused, 2);
  CHECK(mentions(refused, "long.jsonl:2:"));
  CHECK(mentions(refused, "longer than 1000 bytes"));
  CHECK(mentions(refused, "nothing was imported"));

  // No newline at all, from a file and from a pipe the tool stops reading early (so writing
  // the rest of the input fails with EPIPE instead of raising SIGPIPE here).
  write_file(dir / "endless.jsonl", std::string(1'000'000, '['));
  const RunResult endless = inspect({copy, "import", (dir / "endless.jsonl").string(), "--max-line-bytes", "1000"});
  require_exit(endless, 2);
  CHECK(mentions(endless, "endless.jsonl:1:"));
  CHECK(mentions(endless, "longer than 1000 bytes"));
  const IgnoredSigpipe ignored;
  const RunResult piped = inspect({copy, "import", "-", "--max-line-bytes", "1000"},
                                  {.input = std::string(1'000'000, '[')});
  require_exit(piped, 2);
  CHECK(mentions(piped, "stdin:1:"));
  CHECK(mentions(piped, "longer than 1000 bytes"));

  // Within the limit it imports.
  require_exit(inspect({copy, "import", file.string(), "--max-line-bytes", "6000"}), 0);
  require_exit(inspect({copy, "get", "long"}), 0);
  require_exit(inspect({copy, "import", file.string(), "--max-line-bytes", "0"}), 2);
}

TEST_CASE("a stored value nested 100,000 deep: get reports damage, export keeps its bytes") {
  TempDir dir("inspect");
  const std::string cache = (dir / "cache").string();
  run_fixture_builder({"deep", cache, "100000"});

  for (const bool json : {false, true}) {
    CAPTURE(json);
    const RunResult got = json ? inspect({"--json", cache, "get", "deep"}) : inspect({cache, "get", "deep"});
    require_exit(got, 1);
    CHECK(mentions(got, "kMaxValueDepth"));
  }

  const fs::path file = dir / "out.jsonl";
  require_exit(inspect({cache, "export", file.string()}), 0);
  const auto lines = json_lines(read_file(file));
  REQUIRE(lines.size() == 1);
  CHECK(lines[0]["value_msgpack_base64"] ==
        portico::cache::internal::base64_encode(nested_array_bytes(100'000)));

  // Importing it back is refused: the value breaks the limit.
  const RunResult imported = inspect({(dir / "copy").string(), "import", file.string()});
  require_exit(imported, 2);
  CHECK(mentions(imported, "kMaxValueDepth"));
}
