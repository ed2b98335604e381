// Runs the real cache-inspect binary against fixture caches and checks its output and exit
// codes, for every command.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <portico/cache/rocksdb_adapter.hpp>
#include <portico/cache/version.hpp>

#include "../support/child_process.hpp"
#include "../support/temp_dir.hpp"
#include "fixture.hpp"
#include "helpers.hpp"
#include "run_process.hpp"
#include "util/base64.hpp"

using nlohmann::json;
using portico::cache::CacheKey;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::RocksDBOptions;
using portico::cache::testing::ChildProcess;
using portico::cache::testing::fixture_entries;
using portico::cache::testing::fixture_live;
using portico::cache::testing::fixture_total;
using portico::cache::testing::inspect_helpers::fixture;
using portico::cache::testing::inspect_helpers::inspect;
using portico::cache::testing::inspect_helpers::json_lines;
using portico::cache::testing::inspect_helpers::json_one;
using portico::cache::testing::inspect_helpers::read_file;
using portico::cache::testing::inspect_helpers::require_exit;
using portico::cache::testing::RunOptions;
using portico::cache::testing::RunResult;
using portico::cache::testing::TempDir;
namespace fs = std::filesystem;

namespace {


void plant(const std::string& path) {
  require_exit(portico::cache::testing::run_process({INSPECT_FIXTURE_BINARY, "plant", path}), 0);
}

std::size_t count_lines(const std::string& out) { return json_lines(out).size(); }

std::uint64_t total_entries(const std::string& cache) {
  const RunResult stats = inspect({"--json", cache, "stats"});
  require_exit(stats, 0);
  return json_one(stats)["total_entries"].get<std::uint64_t>();
}

RocksDBOptions reader() {
  return RocksDBOptions{.maintenance_interval = std::nullopt, .read_only = true};
}

}  // namespace

// --- stats ---------------------------------------------------------------------------------

TEST_CASE("stats: counters, keys per family, format version, text and JSON") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);

  const RunResult text = inspect({cache, "stats"});
  require_exit(text, 0);
  CHECK(text.out.find(fmt::format("entries:        {}\n", fixture_total())) != std::string::npos);
  CHECK(text.out.find("format version: 3") != std::string::npos);
  CHECK(text.out.find("disk size:") != std::string::npos);
  CHECK(text.err.empty());  // not in use: no live-view note

  const RunResult result = inspect({"--json", cache, "stats", "--exact"});
  require_exit(result, 0);
  const json stats = json_one(result);
  CHECK(stats["total_entries"] == fixture_total());
  CHECK(stats["total_hits"] == portico::cache::testing::kHits);
  CHECK(stats["total_misses"] == portico::cache::testing::kMisses);
  CHECK(stats["hit_rate"].get<double>() == doctest::Approx(4.0 / 6.0));
  CHECK(stats["format_version"] == 3);
  CHECK(stats["live"] == false);
  CHECK(stats["disk_bytes"].get<std::uint64_t>() > 0);
  CHECK(stats["oldest_entry"].is_string());
  CHECK(stats["newest_entry"].is_string());
  // The expired sessions were written two hours in the past: they are the oldest entries.
  CHECK(stats["oldest_entry"].get<std::string>() < stats["newest_entry"].get<std::string>());
  CHECK(stats["family_keys_exact"] == true);
  const json& families = stats["family_keys"];
  CHECK(families["data"] == fixture_total());
  CHECK(families["created"] == fixture_total());
  CHECK(families["expiry"] == fixture_total() - 1);  // "forever" has no expiry
  // users + even/odd on 20 users, session on 5, pinned on 1
  CHECK(families["tags"] == 2 * portico::cache::testing::kUsers + portico::cache::testing::kSessions + 1);
  CHECK(families["namespaces"] == portico::cache::testing::kUsers + portico::cache::testing::kSessions + 2);

  // The global option may also follow the command.
  const RunResult after = inspect({cache, "stats", "--json"});
  require_exit(after, 0);
  CHECK(json_one(after)["total_entries"] == fixture_total());

  // A rocksdb:// URL names the same cache.
  const RunResult url = inspect({"--json", "rocksdb://" + fs::absolute(cache).string(), "stats"});
  require_exit(url, 0);
  CHECK(json_one(url)["total_entries"] == fixture_total());
  // Percent escapes in the location are decoded, as open_cache decodes them.
  const std::string absolute = fs::absolute(cache).string();
  const RunResult escaped = inspect({"--json", "rocksdb://%2F" + absolute.substr(1), "stats"});
  require_exit(escaped, 0);
  CHECK(json_one(escaped)["total_entries"] == fixture_total());
}

TEST_CASE("stats --prometheus prints OpenMetrics text") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const RunResult result = inspect({cache, "stats", "--prometheus"});
  require_exit(result, 0);
  const std::string& text = result.out;
  REQUIRE(text.size() > 6);
  CHECK(text.substr(text.size() - 6) == "# EOF\n");
  CHECK(text.find("# TYPE portico_cache_entries gauge\n") != std::string::npos);
  CHECK(text.find(fmt::format("\nportico_cache_entries {}\n", fixture_total())) != std::string::npos);
  CHECK(text.find("# TYPE portico_cache_hits counter\n") != std::string::npos);
  CHECK(text.find("\nportico_cache_hits_total 4\n") != std::string::npos);
  CHECK(text.find("\nportico_cache_misses_total 2\n") != std::string::npos);
  CHECK(text.find("portico_cache_family_keys{family=\"data\"}") != std::string::npos);
  CHECK(text.find("portico_cache_format_info{version=\"3\"} 1\n") != std::string::npos);

  // Every sample belongs to a family declared with # TYPE before it; HELP and UNIT lines
  // name declared families.
  const auto is_name = [](std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || c == '_';
    });
  };
  std::set<std::string, std::less<>> declared;
  std::istringstream in(text);
  std::string line;
  int samples = 0;
  while (std::getline(in, line)) {
    INFO("line: " << line);
    if (line == "# EOF") {
      CHECK_FALSE(std::getline(in, line));
      break;
    }
    std::istringstream words(line);
    std::string first;
    std::string second;
    std::string third;
    words >> first >> second >> third;
    if (first == "#") {
      REQUIRE(is_name(third));
      if (second == "TYPE") {
        std::string type;
        words >> type;
        CHECK((type == "gauge" || type == "counter" || type == "info"));
        declared.insert(third);
      } else {
        CHECK((second == "HELP" || second == "UNIT"));
        CHECK(declared.contains(third));
      }
      continue;
    }
    // name{labels} value
    const std::string name = first.substr(0, first.find('{'));
    REQUIRE(is_name(name));
    if (name.size() < first.size()) CHECK(first.back() == '}');
    REQUIRE_FALSE(second.empty());
    CHECK(third.empty());
    std::size_t parsed = 0;
    CHECK_NOTHROW(std::stod(second, &parsed));
    CHECK(parsed == second.size());
    const bool known = std::any_of(declared.begin(), declared.end(), [&](const std::string& family) {
      return name == family || name == family + "_total" || name == family + "_info";
    });
    CHECK(known);
    ++samples;
  }
  CHECK(samples >= 10);

  CHECK(inspect({"--json", cache, "stats", "--prometheus"}).exit_code == 2);
}

// --- ls ------------------------------------------------------------------------------------

TEST_CASE("ls: filters, order, JSON lines and text") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);

  const RunResult all_live = inspect({"--json", cache, "ls"});
  require_exit(all_live, 0);
  const auto entries = json_lines(all_live.out);
  CHECK(entries.size() == fixture_live());
  for (std::size_t i = 0; i < entries.size(); ++i) {
    CHECK(entries[i]["expired"] == false);
    if (i > 0) CHECK(entries[i - 1]["full_key"].get<std::string>() <= entries[i]["full_key"].get<std::string>());
  }
  const auto user0 = std::find_if(entries.begin(), entries.end(),
                                  [](const json& e) { return e["full_key"] == "app:user:0"; });
  REQUIRE(user0 != entries.end());
  CHECK((*user0)["key"] == "user:0");
  CHECK((*user0)["ns"] == "app");
  CHECK((*user0)["tags"] == json::array({"users", "even"}));
  CHECK((*user0)["hit_count"] == 3);
  CHECK((*user0)["size"].get<int>() > 0);
  CHECK((*user0)["expires_at"].is_string());

  CHECK(count_lines(inspect({"--json", cache, "ls", "--expired"}).out) == portico::cache::testing::kSessions);
  for (const json& e : json_lines(inspect({"--json", cache, "ls", "--expired"}).out)) {
    CHECK(e["ns"] == "sessions");
    CHECK(e["expired"] == true);
  }
  CHECK(count_lines(inspect({"--json", cache, "ls", "--all"}).out) == fixture_total());
  CHECK(inspect({cache, "ls", "--all", "--expired"}).exit_code == 2);

  const auto app = json_lines(inspect({"--json", cache, "ls", "--ns", "app"}).out);
  CHECK(app.size() == static_cast<std::size_t>(portico::cache::testing::kUsers));
  for (const json& e : app) CHECK(e["ns"] == "app");

  const auto even = json_lines(inspect({"--json", cache, "ls", "--tag", "even"}).out);
  CHECK(even.size() == 10);
  for (const json& e : even) CHECK(e["tags"][1] == "even");

  CHECK(count_lines(inspect({"--json", cache, "ls", "--pattern", "app:user:1*"}).out) == 11);
  CHECK(count_lines(inspect({"--json", cache, "ls", "--ns", "app", "--pattern", "app:user:1?"}).out) == 10);
  CHECK(count_lines(inspect({"--json", cache, "ls", "--tag", "odd", "--pattern", "*:1?"}).out) == 5);
  CHECK(count_lines(inspect({"--json", cache, "ls", "--ns", "sessions", "--pattern", "app:*"}).out) == 0);
  // Three distinct entries share the full key a:b:c.
  CHECK(count_lines(inspect({"--json", cache, "ls", "--pattern", "a:b:c"}).out) == 3);

  const RunResult text = inspect({cache, "ls", "--ns", "app"});
  require_exit(text, 0);
  CHECK(text.out.rfind("KEY", 0) == 0);
  CHECK(text.out.find("NAMESPACE") != std::string::npos);
  CHECK(text.out.find("app:user:0 ") != std::string::npos);
  CHECK(text.out.find("users,even") != std::string::npos);
  CHECK(text.out.find("in 59m") != std::string::npos);
  CHECK(text.out.find('\x1b') == std::string::npos);  // no colour into a pipe
}

TEST_CASE("ls: pagination with --limit and --after covers every entry once") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  std::vector<std::string> seen;
  std::optional<std::string> after;
  for (int page = 0; page < 100; ++page) {
    std::vector<std::string> args = {"--json", cache, "ls", "--all", "--limit", "4"};
    if (after) {
      args.push_back("--after");
      args.push_back(*after);
    }
    const RunResult result = inspect(args);
    require_exit(result, 0);
    const auto lines = json_lines(result.out);
    for (const json& e : lines) seen.push_back(e["full_key"].get<std::string>() + "|" + e["key"].get<std::string>());
    if (result.err.find("more entries follow") == std::string::npos) break;
    REQUIRE_FALSE(lines.empty());
    CHECK(lines.size() >= 4);
    after = lines.back()["full_key"].get<std::string>();
    CHECK(result.err.find("--after '" + *after + "'") != std::string::npos);
  }
  CHECK(seen.size() == fixture_total());
  CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == fixture_total());
  // A page never splits entries with one full key: all three a:b:c come together.
  const RunResult trio = inspect({"--json", cache, "ls", "--pattern", "a:*", "--limit", "1"});
  CHECK(count_lines(trio.out) == 3);
}

// --- get -----------------------------------------------------------------------------------

TEST_CASE("get: metadata and value, --raw bytes, misses and hints") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);

  const RunResult result = inspect({"--json", cache, "get", "user:0", "--ns", "app"});
  require_exit(result, 0);
  const json entry = json_one(result);
  CHECK(entry["found"] == true);
  CHECK(entry["full_key"] == "app:user:0");
  CHECK(entry["value"] == json{{"name", "user 0"}, {"role", "admin"}});
  CHECK(entry["hit_count"] == 3);
  CHECK(entry["tags"] == json::array({"users", "even"}));

  // get counts no hit
  CHECK(json_one(inspect({"--json", cache, "get", "user:0", "--ns", "app"}))["hit_count"] == 3);

  // Binary and extension values are shown safely.
  const json blob = json_one(inspect({"--json", cache, "get", "blob"}))["value"];
  CHECK(blob["$bin"] == portico::cache::internal::base64_encode(std::string("\0\x01\xff" "bin", 6)));
  CHECK(json_one(inspect({"--json", cache, "get", "ext"}))["value"]["$ext"] == 5);
  CHECK(json_one(inspect({"--json", cache, "get", "big"}))["value"] == std::numeric_limits<std::uint64_t>::max());

  const RunResult text = inspect({cache, "get", "user:0", "--ns", "app"});
  require_exit(text, 0);
  CHECK(text.out.find("full key:     app:user:0") != std::string::npos);
  CHECK(text.out.find("\"name\": \"user 0\"") != std::string::npos);
  CHECK(text.out.find("hits:         3") != std::string::npos);

  // --raw: exactly the stored msgpack bytes.
  for (const auto& fixture_entry : fixture_entries()) {
    if (fixture_entry.key.ns) continue;
    const RunResult raw = inspect({cache, "get", fixture_entry.key.key, "--raw"});
    require_exit(raw, 0);
    CHECK(raw.out == fixture_entry.value.msgpack());
  }

  const RunResult missing = inspect({"--json", cache, "get", "nope"});
  require_exit(missing, 1);
  CHECK(json_one(missing)["found"] == false);
  CHECK(missing.err.find("no entry 'nope'") != std::string::npos);

  // The full key exists under another split: the tool says how to reach it.
  const RunResult split = inspect({cache, "get", "app:user:5"});
  require_exit(split, 1);
  CHECK(split.err.find("try --ns 'app'") != std::string::npos);

  // An expired entry is shown, flagged, with a note on stderr.
  const RunResult expired = inspect({"--json", cache, "get", "s0", "--ns", "sessions"});
  require_exit(expired, 0);
  CHECK(json_one(expired)["expired"] == true);
  CHECK(expired.err.find("expired") != std::string::npos);
}

TEST_CASE("get: an entry erased by its tag is gone from the tool before its purge") {
  TempDir dir("inspect");
  const std::string cache = (dir / "cache").string();
  const RocksDBOptions no_maintenance{.maintenance_interval = std::nullopt};
  {
    RocksDBCacheAdapter writer(cache, no_maintenance);
    writer.set(CacheKey{.key = "user:5", .ns = "app", .tags = {"t"}}, 1);
  }
  require_exit(inspect({cache, "get", "user:5", "--ns", "app"}), 0);
  const RunResult hinted = inspect({cache, "get", "app:user:5"});
  require_exit(hinted, 1);
  CHECK(hinted.err.find("try --ns 'app'") != std::string::npos);
  {
    RocksDBCacheAdapter writer(cache, no_maintenance);
    REQUIRE(writer.erase_by_tags({"t"}) == 1);
  }
  // The record stays on disk until maintenance purges it; the tool shows what the cache does.
  const RunResult erased = inspect({cache, "get", "user:5", "--ns", "app"});
  require_exit(erased, 1);
  CHECK(erased.err.find("no entry 'user:5' in namespace 'app'") != std::string::npos);
  const RunResult unhinted = inspect({cache, "get", "app:user:5"});
  require_exit(unhinted, 1);
  CHECK(unhinted.err.find("try --ns") == std::string::npos);
}

// --- tags / namespaces ---------------------------------------------------------------------

TEST_CASE("tags and namespaces: entry counts, expired apart") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);

  std::map<std::string, std::pair<int, int>> tags;
  const RunResult tag_result = inspect({"--json", cache, "tags"});
  require_exit(tag_result, 0);
  for (const json& line : json_lines(tag_result.out)) {
    tags[line["tag"].get<std::string>()] = {line["entries"].get<int>(), line["expired"].get<int>()};
  }
  CHECK(tags.size() == 5);
  CHECK(tags["users"] == std::pair(20, 0));
  CHECK(tags["even"] == std::pair(10, 0));
  CHECK(tags["odd"] == std::pair(10, 0));
  CHECK(tags["session"] == std::pair(0, 5));
  CHECK(tags["pinned"] == std::pair(1, 0));

  std::map<std::string, std::pair<int, int>> namespaces;
  for (const json& line : json_lines(inspect({"--json", cache, "namespaces"}).out)) {
    namespaces[line["namespace"].get<std::string>()] = {line["entries"].get<int>(), line["expired"].get<int>()};
  }
  CHECK(namespaces.size() == 4);
  CHECK(namespaces["app"] == std::pair(20, 0));
  CHECK(namespaces["sessions"] == std::pair(0, 5));
  CHECK(namespaces["a"] == std::pair(1, 0));
  CHECK(namespaces["a:b"] == std::pair(1, 0));

  const RunResult text = inspect({cache, "tags"});
  require_exit(text, 0);
  CHECK(text.out.rfind("TAG", 0) == 0);
  CHECK(text.out.find("users  ") != std::string::npos);
}

// --- rm and cleanup ------------------------------------------------------------------------

TEST_CASE("rm: dry run, refusal without a terminal, --yes, every form") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);

  const RunResult dry = inspect({"--json", cache, "rm", "--tag", "even", "odd", "--dry-run"});
  require_exit(dry, 0);
  CHECK(count_lines(dry.out) == 20);
  CHECK(dry.err.find("would remove 20 entries") != std::string::npos);
  CHECK(total_entries(cache) == fixture_total());

  // stdin is a pipe: no silent deletes.
  const RunResult refused = inspect({cache, "rm", "--tag", "even"});
  require_exit(refused, 2);
  CHECK(refused.err.find("--yes") != std::string::npos);
  CHECK(total_entries(cache) == fixture_total());

  const RunResult by_tag = inspect({"--json", cache, "rm", "--tag", "even", "--yes"});
  require_exit(by_tag, 0);
  CHECK(json_one(by_tag)["removed"] == 10);
  CHECK(count_lines(inspect({"--json", cache, "ls", "--tag", "even"}).out) == 0);

  const RunResult by_key = inspect({"--json", cache, "rm", "user:1", "--ns", "app", "--yes"});
  require_exit(by_key, 0);
  CHECK(json_one(by_key)["removed"] == 1);
  CHECK(inspect({cache, "get", "user:1", "--ns", "app"}).exit_code == 1);

  const RunResult by_pattern = inspect({"--json", cache, "rm", "--pattern", "app:user:1?", "--yes"});
  require_exit(by_pattern, 0);
  CHECK(json_one(by_pattern)["removed"] == 5);  // the odd ones 11..19; the even ones are gone

  // Only expired entries: they go, but count as none removed.
  const RunResult by_ns = inspect({"--json", cache, "rm", "--ns", "sessions", "--yes"});
  require_exit(by_ns, 0);
  CHECK(json_one(by_ns)["removed"] == 0);
  CHECK(count_lines(inspect({"--json", cache, "ls", "--all", "--ns", "sessions"}).out) == 0);

  // Expired entries the compaction filter already dropped are settled by cleanup.
  require_exit(inspect({cache, "cleanup"}), 0);
  CHECK(total_entries(cache) == fixture_total() - 10 - 1 - 5 - 5);

  // Text form of a removal.
  const RunResult text = inspect({cache, "rm", "forever", "--yes"});
  require_exit(text, 0);
  CHECK(text.out == "removed 1 live entry (expired matches were removed too)\n");
}

TEST_CASE("rm: asks on a terminal and honours the answer") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);

  const RunResult declined = inspect({cache, "rm", "--ns", "app"}, {.input = "n\n", .terminal_stdin = true});
  require_exit(declined, 0);
  CHECK(declined.err.find("remove the entries of namespace 'app' (20 entries, 0 expired)") != std::string::npos);
  CHECK(declined.err.find("nothing removed") != std::string::npos);
  CHECK(total_entries(cache) == fixture_total());

  const RunResult accepted = inspect({cache, "rm", "--ns", "app"}, {.input = "y\n", .terminal_stdin = true});
  require_exit(accepted, 0);
  CHECK(accepted.out.find("removed 20 live entries") != std::string::npos);
  CHECK(total_entries(cache) == fixture_total() - 20);
}

TEST_CASE("rm: the cache stays locked while the confirmation is pending") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  portico::cache::testing::Process rm({CACHE_INSPECT_BINARY, cache, "rm", "--tag", "users"},
                                      {.terminal_stdin = true});
  REQUIRE(rm.wait_for_stderr("[y/N]"));
  // Counting the matches must not have dropped the tool's lock on the directory.
  bool refused = false;
  try {
    RocksDBCacheAdapter second(cache, RocksDBOptions{.maintenance_interval = std::nullopt});
  } catch (const portico::cache::CacheError& e) {
    refused = std::string(e.what()).find("in use") != std::string::npos;
  }
  CHECK(refused);
  rm.write("yes\n");
  const RunResult result = rm.finish();
  require_exit(result, 0);
  CHECK(result.out.find("removed 20 live entries") != std::string::npos);
}

TEST_CASE("cleanup removes the expired entries") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const RunResult result = inspect({"--json", cache, "cleanup"});
  require_exit(result, 0);
  CHECK(json_one(result)["removed"] == portico::cache::testing::kSessions);
  CHECK(total_entries(cache) == fixture_live());
  CHECK(count_lines(inspect({"--json", cache, "ls", "--expired"}).out) == 0);
  const RunResult again = inspect({cache, "cleanup"});
  require_exit(again, 0);
  CHECK(again.out == "removed 0 expired entries\n");
}

TEST_CASE("compact keeps every live entry") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const RunResult result = inspect({"--json", cache, "compact"});
  require_exit(result, 0);
  const json report = json_one(result);
  CHECK(report["compacted"] == true);
  CHECK(report["disk_bytes_after"].get<std::uint64_t>() > 0);
  CHECK(count_lines(inspect({"--json", cache, "ls"}).out) == fixture_live());
  CHECK(result.err.find('\r') == std::string::npos);  // no spinner into a pipe
}

// --- verify --------------------------------------------------------------------------------

TEST_CASE("verify: clean, a planted inconsistency, --repair") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);

  const RunResult clean = inspect({"--json", cache, "verify"});
  require_exit(clean, 0);
  const json report = json_one(clean);
  CHECK(report["ok"] == true);
  CHECK(report["entries"] == fixture_total());
  CHECK(report["problems"].empty());
  CHECK(inspect({cache, "verify"}).out.find("ok: no problems found") != std::string::npos);

  plant(cache);
  const RunResult damaged = inspect({"--json", cache, "verify"});
  require_exit(damaged, 1);
  const json found = json_one(damaged);
  CHECK(found["ok"] == false);
  CHECK(found["repaired"] == false);
  CHECK(found["stored_count"] == fixture_total() + 2);
  CHECK(found["expected_count"] == fixture_total());
  REQUIRE(found["problems"].size() == 2);
  const std::string problems = found["problems"].dump();
  CHECK(problems.find("app:user:3") != std::string::npos);
  CHECK(problems.find("entry count") != std::string::npos);

  const RunResult text = inspect({cache, "verify"});
  require_exit(text, 1);
  CHECK(text.out.find("2 problems found:") != std::string::npos);
  CHECK(text.out.find("  - ") != std::string::npos);
  CHECK(text.err.find('\r') == std::string::npos);  // no progress bar into a pipe

  const RunResult repaired = inspect({"--json", cache, "verify", "--repair"});
  require_exit(repaired, 0);
  CHECK(json_one(repaired)["repaired"] == true);
  require_exit(inspect({cache, "verify"}), 0);
  CHECK(count_lines(inspect({"--json", cache, "ls", "--tag", "users"}).out) == 20);
  CHECK(total_entries(cache) == fixture_total());
}

// --- export / import -----------------------------------------------------------------------

TEST_CASE("export: JSON values where lossless, base64 msgpack otherwise") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const fs::path file = dir / "entries.jsonl";
  const RunResult result = inspect({"--json", cache, "export", file.string()});
  require_exit(result, 0);
  CHECK(json_one(result)["exported"] == fixture_live());
  CHECK_FALSE(fs::exists(file.string() + ".partial"));

  std::map<std::string, json> by_key;
  for (const json& line : json_lines(read_file(file))) by_key[line["key"].get<std::string>()] = line;
  CHECK(by_key.size() == fixture_live());
  CHECK(by_key["config"]["value"] == "dark-mode");
  CHECK(by_key["counter"]["value"] == 42);
  CHECK(by_key["pi"]["value"] == 3.25);
  CHECK(by_key["neg"]["value"] == -12345);
  CHECK(by_key["nil"]["value"].is_null());
  CHECK(by_key["nested"]["value"] == json::array({json::array({1, 2}), json::array({3})}));
  CHECK(by_key["utf8"]["value"] == "h\xc3\xa9llo \xe2\x9c\x93");
  CHECK(by_key["forever"]["expires_at"].is_null());
  CHECK(by_key["user:0"]["ns"] == "app");
  CHECK(by_key["user:0"]["hit_count"] == 3);
  CHECK(by_key["user:0"]["value"] == json{{"name", "user 0"}, {"role", "admin"}});
  for (const char* key : {"blob", "float32", "intmap", "ext", "badutf8"}) {
    INFO(key);
    CHECK_FALSE(by_key[key].contains("value"));
    CHECK(by_key[key]["value_msgpack_base64"].is_string());
  }
  CHECK_FALSE(by_key.contains("s0"));  // expired entries are not exported

  const RunResult to_stdout = inspect({cache, "export", "-", "--format", "msgpack"});
  require_exit(to_stdout, 0);
  const auto lines = json_lines(to_stdout.out);
  CHECK(lines.size() == fixture_live());
  for (const json& line : lines) CHECK(line.contains("value_msgpack_base64"));
  CHECK(to_stdout.err.find("exported") != std::string::npos);
}

TEST_CASE("export then import into an empty directory gives identical entries") {
  for (const std::string format : {"json", "msgpack"}) {
    CAPTURE(format);
    TempDir dir("inspect");
    const std::string cache = fixture(dir);
    const fs::path file = dir / "entries.jsonl";
    require_exit(inspect({cache, "export", file.string(), "--format", format}), 0);

    const std::string copy = (dir / "fresh" / "copy").string();  // does not exist yet
    const RunResult imported = inspect({"--json", copy, "import", file.string()});
    require_exit(imported, 0);
    CHECK(json_one(imported)["imported"] == fixture_live());
    CHECK(json_one(imported)["skipped_expired"] == 0);
    CHECK(total_entries(copy) == fixture_live());

    RocksDBCacheAdapter original(cache, reader());
    RocksDBCacheAdapter restored(copy, reader());
    for (const auto& entry : fixture_entries()) {
      CAPTURE(entry.key.full_key());
      const auto want = original.get(entry.key);
      const auto got = restored.get(entry.key);
      if (entry.expired) {
        CHECK_FALSE(got);
        continue;
      }
      REQUIRE(want);
      REQUIRE(got);
      CHECK(got->value.msgpack() == want->value.msgpack());
      CHECK(got->key.tags == want->key.tags);
      CHECK(got->key.ns == want->key.ns);
      REQUIRE(got->expires_at.has_value() == want->expires_at.has_value());
      if (want->expires_at) {
        // The remaining time to live is kept, to the microsecond.
        CHECK(*got->expires_at >= *want->expires_at);
        CHECK(*got->expires_at - *want->expires_at < std::chrono::microseconds(1));
      }
    }
  }
}

TEST_CASE("import: skips expired lines, checks the whole file first, reads stdin") {
  TempDir dir("inspect");
  const std::string copy = (dir / "copy").string();
  const fs::path file = dir / "lines.jsonl";
  {
    std::ofstream out(file);
    out << R"({"key":"live","ns":"n","tags":["t"],"expires_at":"2200-01-01T00:00:00Z","value":{"a":[1,2.5,"x"]}})" "\n";
    out << R"({"key":"old","expires_at":"2001-01-01T00:00:00.5Z","value":1})" "\n";
    out << "\n";
    out << R"({"key":"bytes","ns":null,"expires_at":null,"value_msgpack_base64":"xAMAAf8="})" "\n";
  }
  const RunResult result = inspect({"--json", copy, "import", file.string()});
  require_exit(result, 0);
  CHECK(json_one(result)["imported"] == 2);
  CHECK(json_one(result)["skipped_expired"] == 1);
  const json live = json_one(inspect({"--json", copy, "get", "live", "--ns", "n"}));
  CHECK(live["value"] == json{{"a", json::array({1, 2.5, "x"})}});
  CHECK(live["expires_at"] == "2200-01-01T00:00:00Z");
  CHECK(live["tags"] == json::array({"t"}));
  const RunResult bytes = inspect({copy, "get", "bytes", "--raw"});
  CHECK(bytes.out == std::string("\xc4\x03\x00\x01\xff", 5));

  // A bad line anywhere: nothing is imported, the line is named.
  const fs::path bad = dir / "bad.jsonl";
  {
    std::ofstream out(bad);
    out << R"({"key":"first","value":1})" "\n";
    out << R"({"key":"second","value":1,"value_msgpack_base64":"wA=="})" "\n";
  }
  const RunResult refused = inspect({copy, "import", bad.string()});
  require_exit(refused, 2);
  CHECK(refused.err.find("bad.jsonl:2:") != std::string::npos);
  CHECK(refused.err.find("nothing was imported") != std::string::npos);
  CHECK(inspect({copy, "get", "first"}).exit_code == 1);

  // From stdin.
  const RunResult piped = inspect({"--json", copy, "import", "-"}, {.input = R"({"key":"piped","value":"p"})" "\n"});
  require_exit(piped, 0);
  CHECK(json_one(piped)["imported"] == 1);
  CHECK(json_one(inspect({"--json", copy, "get", "piped"}))["value"] == "p");
  CHECK(json_one(inspect({"--json", copy, "get", "piped"}))["expires_at"].is_null());
  // From a file that is a pipe (process substitution, /dev/stdin): read once.
  const RunResult fifo = inspect({"--json", copy, "import", "/dev/stdin"}, {.input = R"({"key":"fifo","value":[]})" "\n"});
  require_exit(fifo, 0);
  CHECK(json_one(fifo)["imported"] == 1);
}

// --- backup --------------------------------------------------------------------------------

TEST_CASE("backup writes a checkpoint that opens as a cache") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const std::string dest = (dir / "backups" / "b1").string();
  const RunResult result = inspect({"--json", cache, "backup", dest});
  require_exit(result, 0);
  CHECK(json_one(result)["entries"] == fixture_total());
  CHECK(total_entries(dest) == fixture_total());
  CHECK(count_lines(inspect({"--json", dest, "ls", "--all"}).out) == fixture_total());
  require_exit(inspect({dest, "verify"}), 0);

  const RunResult exists = inspect({cache, "backup", dest});
  require_exit(exists, 2);
  CHECK(exists.err.find("exists") != std::string::npos);
}

// --- a cache in use ------------------------------------------------------------------------

TEST_CASE("a cache held open by another process: live reads, refused writes") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const fs::path scratch = dir / "tmp";
  fs::create_directories(scratch);
  const RunOptions env{.env = {"TMPDIR=" + scratch.string()}};

  ChildProcess holder({HOLD_CACHE_BINARY, cache});
  REQUIRE(holder.read_line() == "ready");

  const std::string live_note = "cache is in use by another process; showing a live read-only view";
  const RunResult stats = inspect({"--json", cache, "stats"}, env);
  require_exit(stats, 0);
  CHECK(stats.err == "cache-inspect: " + live_note + "\n");
  // The holder's maintenance thread may have cleaned up the expired entries already.
  const auto live_total = json_one(stats)["total_entries"].get<std::size_t>();
  CHECK((live_total == fixture_total() || live_total == fixture_live()));
  CHECK(json_one(stats)["live"] == true);

  for (const std::vector<std::string>& reading : std::vector<std::vector<std::string>>{
           {"ls"}, {"get", "user:0", "--ns", "app"}, {"tags"}, {"namespaces"}, {"verify"},
           {"export", "-"}, {"rm", "--tag", "users", "--dry-run"}}) {
    std::vector<std::string> args = {"--json", cache};
    args.insert(args.end(), reading.begin(), reading.end());
    CAPTURE(reading[0]);
    const RunResult result = inspect(args, env);
    require_exit(result, 0);
    CHECK(result.err.find(live_note) != std::string::npos);
    CHECK_FALSE(json_lines(result.out).empty());
  }
  CHECK(count_lines(inspect({"--json", cache, "ls"}, env).out) == fixture_live());

  const std::string lock = (fs::path(cache) / "LOCK").string();
  for (const std::vector<std::string>& writing : std::vector<std::vector<std::string>>{
           {"rm", "--tag", "users", "--yes"}, {"rm", "config", "--yes"}, {"cleanup"}, {"compact"},
           {"verify", "--repair"}, {"import", "-"}, {"backup", (dir / "b").string()}}) {
    std::vector<std::string> args = {cache};
    args.insert(args.end(), writing.begin(), writing.end());
    CAPTURE(writing[0]);
    const RunResult result = inspect(args, {.input = "{\"key\":\"k\",\"value\":1}\n", .env = env.env});
    require_exit(result, 2);
    CHECK(result.err.find("in use") != std::string::npos);
    CHECK(result.err.find(lock) != std::string::npos);
    CHECK(result.out.empty());
  }
  CHECK_FALSE(fs::exists(dir / "b"));
  // The secondary instances' scratch directories are gone.
  CHECK(fs::is_empty(scratch));

  holder.close_stdin();
  CHECK(holder.wait() == 0);
  const RunResult after = inspect({cache, "cleanup"});
  require_exit(after, 0);
  CHECK(after.err.empty());
  CHECK(total_entries(cache) == fixture_live());
}

// --- the command line ----------------------------------------------------------------------

TEST_CASE("bad arguments exit 2 with a message") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  fs::create_directories(dir / "empty");
  const std::vector<std::vector<std::string>> cases = {
      {},
      {cache},
      {cache, "frobnicate"},
      {"ls"},
      {"", "ls"},
      {cache, "ls", "--bogus"},
      {cache, "ls", "--limit", "abc"},
      {cache, "ls", "--limit", "0"},
      {cache, "ls", "--pattern", "[abc"},
      {cache, "get"},
      {cache, "get", "k", "--raw", "--json"},
      {cache, "rm"},
      {cache, "rm", "k", "--tag", "t", "--yes"},
      {cache, "rm", "--ns", "app", "--pattern", "x*", "--yes"},
      {cache, "rm", "--pattern", "[x", "--yes"},
      {cache, "export"},
      {cache, "export", "f", "--format", "xml"},
      {cache, "import", (dir / "no-such-file").string()},
      {cache, "backup"},
      {"redis://localhost:6379/0", "stats"},
      {"rocksdb://", "stats"},
      {"rocksdb://" + cache + "?sync=1", "stats"},
      {"rocksdb://%zz", "stats"},
      {"rocksdb://" + cache + "#frag", "stats"},
      {(dir / "missing").string(), "stats"},
      {(dir / "missing").string(), "cleanup"},
      {(dir / "empty").string(), "ls"},
  };
  for (const auto& args : cases) {
    std::string joined;
    for (const auto& arg : args) joined += arg + " ";
    CAPTURE(joined);
    const RunResult result = inspect(args);
    CHECK(result.exit_code == 2);
    CHECK_FALSE(result.err.empty());
  }
  CHECK(inspect({"redis://localhost:6379/0", "stats"}).err.find("unsupported cache URL scheme 'redis'") !=
        std::string::npos);
  CHECK(inspect({(dir / "missing").string(), "stats"}).err.find("no cache at") != std::string::npos);
  CHECK_FALSE(fs::exists(dir / "missing"));  // nothing was created
  CHECK(total_entries(cache) == fixture_total());
}

TEST_CASE("--help documents the exit codes; --version prints the library version") {
  const RunResult help = inspect({"--help"});
  require_exit(help, 0);
  CHECK(help.out.find("Exit codes:") != std::string::npos);
  CHECK(help.out.find("2  bad usage") != std::string::npos);
  for (const char* command : {"stats", "ls", "get", "tags", "namespaces", "rm", "cleanup", "compact",
                              "verify", "export", "import", "backup"}) {
    CAPTURE(command);
    CHECK(help.out.find(std::string("  ") + command) != std::string::npos);
    const RunResult sub = inspect({command, "--help"});
    require_exit(sub, 0);
    CHECK(sub.out.find(std::string("Usage: cache-inspect ") + command) != std::string::npos);
  }
  const RunResult ls_help = inspect({"ls", "--help"});
  CHECK(ls_help.out.find("--limit") != std::string::npos);
  CHECK(ls_help.out.find("--after") != std::string::npos);
  const RunResult version = inspect({"--version"});
  require_exit(version, 0);
  CHECK(version.out.find(PORTICO_CACHE_VERSION) != std::string::npos);
}

TEST_CASE("progress stays quiet and colour stays off when output is piped") {
  TempDir dir("inspect");
  const std::string cache = (dir / "bulk").string();
  require_exit(portico::cache::testing::run_process({INSPECT_FIXTURE_BINARY, "bulk", cache, "20000"}), 0);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {cache, "verify"}, {cache, "export", (dir / "out.jsonl").string()}, {cache, "compact"}}) {
    const RunResult result = inspect(args, {.unset_env = {"NO_COLOR"}});
    require_exit(result, 0);
    CHECK(result.err.find('\r') == std::string::npos);
    CHECK(result.out.find('\x1b') == std::string::npos);
  }
  const RunResult imported = inspect({(dir / "copy").string(), "import", (dir / "out.jsonl").string()});
  require_exit(imported, 0);
  CHECK(imported.out == fmt::format("imported 20000 entries from {} (0 expired ones skipped)\n",
                                    (dir / "out.jsonl").string()));
  CHECK(imported.err.empty());
}
