// What cache-inspect writes is private and never reached through a planted symbolic link.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <filesystem>
#include <iterator>
#include <string>

#include "../support/temp_dir.hpp"
#include "fixture.hpp"
#include "helpers.hpp"

using portico::cache::testing::fixture_live;
using portico::cache::testing::fixture_total;
using portico::cache::testing::RunResult;
using portico::cache::testing::TempDir;
using portico::cache::testing::inspect_helpers::fixture;
using portico::cache::testing::inspect_helpers::inspect;
using portico::cache::testing::inspect_helpers::json_lines;
using portico::cache::testing::inspect_helpers::json_one;
using portico::cache::testing::inspect_helpers::read_file;
using portico::cache::testing::inspect_helpers::require_exit;
using portico::cache::testing::inspect_helpers::write_file;
namespace fs = std::filesystem;

namespace {

unsigned mode_of(const fs::path& path) {
  struct stat status {};
  REQUIRE(::lstat(path.c_str(), &status) == 0);
  return status.st_mode & 07777;
}

// The fixture cache, a file someone wants kept, and where an export is to go.
struct ExportScene {
  TempDir dir{"inspect"};
  std::string cache = fixture(dir);
  fs::path victim = dir / "victim.txt";
  fs::path out = dir / "out.jsonl";
  ExportScene() { write_file(victim, "precious\n"); }
};

// The tool runs with a permissive umask, as a careless shell would give it.
class PermissiveUmask {
 public:
  PermissiveUmask() : previous_(::umask(0)) {}
  ~PermissiveUmask() { ::umask(previous_); }
  PermissiveUmask(const PermissiveUmask&) = delete;
  PermissiveUmask& operator=(const PermissiveUmask&) = delete;

 private:
  mode_t previous_;
};

}  // namespace

TEST_CASE("export never writes through a symbolic link planted at its temporary name") {
  const ExportScene scene;
  const auto& [dir, cache, victim, out] = scene;
  fs::create_symlink(victim, out.string() + ".partial");

  const PermissiveUmask umask;
  const RunResult result = inspect({"--json", cache, "export", out.string()});
  require_exit(result, 0);
  CHECK(read_file(victim) == "precious\n");
  CHECK(fs::is_symlink(out.string() + ".partial"));  // left as it was
  CHECK(json_lines(read_file(out)).size() == fixture_live());
  CHECK(mode_of(out) == 0600);
  // No temporary file is left behind.
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) files += entry.path() != fs::path(cache) ? 1 : 0;
  CHECK(files == 3);  // victim.txt, out.jsonl.partial, out.jsonl
}

TEST_CASE("export replaces a symbolic link at the destination instead of following it") {
  const ExportScene scene;
  const auto& [dir, cache, victim, out] = scene;
  fs::create_symlink(victim, out);

  require_exit(inspect({cache, "export", out.string()}), 0);
  CHECK(read_file(victim) == "precious\n");
  CHECK_FALSE(fs::is_symlink(out));
  CHECK(json_lines(read_file(out)).size() == fixture_live());
}

TEST_CASE("backup creates its directory, the parents it creates and its files private") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const fs::path dest = dir / "new" / "parents" / "b1";

  const PermissiveUmask umask;
  const RunResult result = inspect({"--json", cache, "backup", dest.string()});
  require_exit(result, 0);
  CHECK(json_one(result)["entries"] == fixture_total());
  CHECK(mode_of(dir / "new") == 0700);
  CHECK(mode_of(dir / "new" / "parents") == 0700);
  CHECK(mode_of(dest) == 0700);
  std::size_t files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(dest)) {
    CAPTURE(entry.path());
    CHECK(mode_of(entry.path()) == (entry.is_directory() ? 0700u : 0600u));
    ++files;
  }
  CHECK(files > 0);
  // Nothing but the backup was left next to it.
  CHECK(std::distance(fs::directory_iterator(dest.parent_path()), fs::directory_iterator()) == 1);
  require_exit(inspect({dest.string(), "verify"}), 0);
}

TEST_CASE("backup refuses a destination that is a symbolic link, even a dangling one") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const fs::path target = dir / "elsewhere";
  fs::create_directory(target);
  const fs::path link = dir / "b1";
  fs::create_directory_symlink(target, link);

  const RunResult refused = inspect({cache, "backup", link.string()});
  require_exit(refused, 2);
  CHECK(refused.err.find("symbolic link") != std::string::npos);
  CHECK(fs::is_empty(target));

  const fs::path dangling = dir / "b2";
  fs::create_symlink(dir / "nowhere", dangling);
  require_exit(inspect({cache, "backup", dangling.string()}), 2);
  CHECK_FALSE(fs::exists(dir / "nowhere"));
  CHECK(fs::is_symlink(dangling));
}

TEST_CASE("backup follows no link planted at the checkpoint's temporary name") {
  TempDir dir("inspect");
  const std::string cache = fixture(dir);
  const fs::path target = dir / "elsewhere";
  fs::create_directory(target);
  write_file(target / "precious", "keep me\n");
  // RocksDB writes a checkpoint into DEST.tmp and renames it: a link there must not matter.
  fs::create_directory_symlink(target, dir / "b1.tmp");

  require_exit(inspect({cache, "backup", (dir / "b1").string()}), 0);
  CHECK(read_file(target / "precious") == "keep me\n");
  CHECK(std::distance(fs::directory_iterator(target), fs::directory_iterator()) == 1);
  require_exit(inspect({(dir / "b1").string(), "verify"}), 0);
}
