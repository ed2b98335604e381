// Regression tests for what a hostile or unlucky user met: each case is named for what the
// user expects, and fails without its fix.
#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <portico/cache/errors.hpp>
#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/rocksdb_options.hpp"
#include "../support/temp_dir.hpp"
#include "rocksdb/access_buffer.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"
#include "rocksdb/verify.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheError;
using portico::cache::CacheKey;
using portico::cache::ManualClock;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::RocksDBOptions;
using portico::cache::testing::TempDir;
using portico::cache::testing::without_maintenance;
namespace internal = portico::cache::internal;
namespace fs = std::filesystem;

namespace {

// What verify finds in a closed cache directory (empty: consistent).
std::vector<std::string> problems_in(const fs::path& dir) {
  internal::Database db(internal::OpenRequest{.dir = dir, .options = without_maintenance()});
  return internal::verify_database(db, false, std::chrono::system_clock::now()).problems;
}

// Overwrites the stored record of `key` with bytes that are no record.
void damage_record(const fs::path& dir, const CacheKey& key) {
  internal::Database db(internal::OpenRequest{.dir = dir, .options = without_maintenance()});
  internal::check(db.db().Put(rocksdb::WriteOptions(), db.family(internal::Family::data),
                              internal::encode_id(key), "\xc1 not a record"),
                  "damaging a record");
}

mode_t mode_of(const fs::path& path) {
  struct stat info {};
  REQUIRE(::lstat(path.c_str(), &info) == 0);
  return info.st_mode & 07777;
}

}  // namespace

TEST_CASE("the entry count stays exact across tag erases and later expiry") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    cache.set({.key = "a", .ns = {}, .tags = {"x"}}, 1, 1h);
    cache.set({.key = "b", .ns = {}, .tags = {"y"}}, 2, 1h);
    cache.set({.key = "keep", .ns = {}, .tags = {}}, 3);
    CHECK(cache.erase_by_tags({"x"}) == 1);
    // "b" was created before the epoch of "x": the second erase reads its record to learn
    // whether "x" erased it already, and must erase and uncount "b" itself, not another id.
    CHECK(cache.erase_by_tags({"y"}) == 1);
    CHECK(cache.get_stats().total_entries == 1);
    clock->advance(2h);
    cache.cleanup_expired();
    CHECK(cache.get_stats().total_entries == 1);
    CHECK(cache.exists({.key = "keep", .ns = {}, .tags = {}}));
  }
  CHECK(problems_in(dir / "c").empty());
  RocksDBCacheAdapter reopened(dir / "c", without_maintenance(clock));
  CHECK(reopened.get_stats().total_entries == 1);
}

TEST_CASE("a damaged record can be overwritten, erased and purged, and the count stays right") {
  TempDir dir;
  const CacheKey damaged{.key = "damaged", .ns = "app", .tags = {"t"}};
  const CacheKey erased{.key = "erased", .ns = "app", .tags = {"t"}};
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance());
    cache.set(damaged, 1);
    cache.set(erased, 2);
    cache.set({.key = "other", .ns = "app", .tags = {"t"}}, 3);
  }
  damage_record(dir / "c", damaged);
  damage_record(dir / "c", erased);
  RocksDBCacheAdapter cache(dir / "c", without_maintenance());
  CHECK_THROWS_AS(cache.get(damaged), portico::cache::CorruptionError);
  // Overwrite: the damaged record counts as absent.
  cache.set(damaged, 10);
  CHECK(cache.get(damaged)->as<int>() == 10);
  // Erase: the damaged record goes, and an absent entry was not erased.
  CHECK_FALSE(cache.erase(erased));
  CHECK_FALSE(cache.exists(erased));
  cache.set(erased, 20);
  CHECK(cache.get(erased)->as<int>() == 20);
  // A tag erase over records of the same tag, and the purge that follows it.
  CHECK(cache.erase_by_tags({"t"}) == 3);
  CHECK_NOTHROW(cache.cleanup_expired());
  CHECK(cache.get_stats().total_entries == 0);
}

TEST_CASE("maintenance chores fail one by one, are counted and reported as events") {
  TempDir dir;
  const CacheKey victim{.key = "v", .ns = {}, .tags = {"t"}};
  const CacheKey survivor{.key = "w", .ns = {}, .tags = {}};
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance());
    cache.set(victim, 1);
    cache.set(survivor, 2);
    CHECK(cache.erase_by_tags({"t"}) == 1);  // its record waits for the purge
  }
  {
    // A damaged tags index entry: the purge of tag "t" cannot read it.
    internal::Database db(internal::OpenRequest{.dir = dir / "c", .options = without_maintenance()});
    internal::check(db.db().Put(rocksdb::WriteOptions(), db.family(internal::Family::tags),
                                internal::group_index_key("t", internal::encode_id(victim)),
                                "bad"),
                    "damaging an index entry");
  }
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::string> messages;
  RocksDBOptions options = without_maintenance();
  options.maintenance_interval = 5ms;
  options.on_event = [&](const portico::cache::CacheEvent& event) {
    if (event.kind != portico::cache::EventKind::maintenance_failed) return;
    std::lock_guard lock(mutex);
    messages.push_back(event.message);
    changed.notify_all();
  };
  {
    RocksDBCacheAdapter cache(dir / "c", options);
    CHECK(cache.get(survivor).has_value());
    std::unique_lock lock(mutex);
    // Two failed rounds: the flush of the round between them came after the get.
    REQUIRE(changed.wait_for(lock, 60s, [&] { return messages.size() >= 2; }));
    CHECK(messages[0].find("purge") != std::string::npos);
    lock.unlock();
    // The flush chore ran although the purge failed: the hit is on disk already.
    internal::OpenRequest follower{.dir = dir / "c", .options = without_maintenance(),
                                   .mode = internal::OpenMode::secondary,
                                   .secondary_dir = dir / "follower"};
    internal::Database db(follower);
    CHECK(db.read_counter(internal::kMetaHits) == 1);
  }
  internal::Database db(internal::OpenRequest{.dir = dir / "c", .options = without_maintenance()});
  CHECK(db.read_counter(internal::kMetaMaintenanceFailures) >= 2);
}

TEST_CASE("every file of a cache is private to its user whatever the umask") {
  TempDir dir;
  const mode_t old_umask = ::umask(0);
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance());
    for (int i = 0; i < 50; ++i) cache.set({.key = std::to_string(i), .ns = {}, .tags = {}}, i);
    cache.compact();
  }
  ::umask(old_umask);
  CHECK(mode_of(dir / "c") == 0700);
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir / "c")) {
    CAPTURE(entry.path());
    CHECK(mode_of(entry.path()) == (entry.is_directory() ? 0700 : 0600));
    ++files;
  }
  CHECK(files > 3);  // CURRENT, MANIFEST, OPTIONS, LOCK, WAL, SST files
}

TEST_CASE("a cache directory others could tamper with is refused, and nothing is opened") {
  TempDir dir;
  SUBCASE("writable by group or others") {
    fs::create_directories(dir / "shared");
    ::chmod((dir / "shared").c_str(), 0777);
    CHECK_THROWS_WITH_AS(RocksDBCacheAdapter(dir / "shared", without_maintenance()),
                         doctest::Contains("group or others may write"), CacheError);
    CHECK_FALSE(fs::exists(dir / "shared" / "CURRENT"));
  }
  SUBCASE("a symbolic link") {
    fs::create_directories(dir / "real");
    ::chmod((dir / "real").c_str(), 0700);
    fs::create_directory_symlink(dir / "real", dir / "link");
    CHECK_THROWS_WITH_AS(RocksDBCacheAdapter(dir / "link", without_maintenance()),
                         doctest::Contains("symbolic link"), CacheError);
    CHECK_FALSE(fs::exists(dir / "real" / "CURRENT"));
  }
  SUBCASE("owned by another user") {
    // As root, a directory handed to another user; otherwise one root owns.
    fs::path foreign = "/usr";
    if (::geteuid() == 0) {
      foreign = dir / "foreign";
      fs::create_directories(foreign);
      ::chmod(foreign.c_str(), 0700);
      REQUIRE(::chown(foreign.c_str(), 65534, 65534) == 0);
    }
    CHECK_THROWS_WITH_AS(RocksDBCacheAdapter(foreign, without_maintenance()),
                         doctest::Contains("belongs to user"), CacheError);
    CHECK_FALSE(fs::exists(foreign / "CURRENT"));
  }
  // The same directory opens once made private: the refusal left nothing behind.
  fs::create_directories(dir / "ok");
  ::chmod((dir / "ok").c_str(), 0700);
  CHECK_NOTHROW(RocksDBCacheAdapter(dir / "ok", without_maintenance()));
}

TEST_CASE("a directory whose path mentions a lock opens, and a busy one says it is in use") {
  TempDir dir;
  const fs::path path = dir / "srv" / "blocklist" / "LOCKED";
  RocksDBCacheAdapter cache(path, without_maintenance());
  cache.set({.key = "k", .ns = {}, .tags = {}}, 1);
  CHECK_THROWS_WITH_AS(RocksDBCacheAdapter(path, without_maintenance()),
                       doctest::Contains("in use"), CacheError);
}

TEST_CASE("a read-only cache keeps no access data, however often it is read") {
  TempDir dir;
  const CacheKey key{.key = "k", .ns = {}, .tags = {}};
  {
    RocksDBCacheAdapter writer(dir / "c", without_maintenance());
    writer.set(key, 1);
  }
  RocksDBOptions options = without_maintenance();
  options.read_only = true;
  RocksDBCacheAdapter reader(dir / "c", options);
  for (int i = 0; i < 5; ++i) {
    const auto entry = reader.get(key);
    REQUIRE(entry);
    CHECK(entry->hit_count == 1);  // the stored count (0) and this get
  }
}

TEST_CASE("the access buffer is bounded by distinct keys, not by hits") {
  internal::AccessBuffer buffer;
  const std::string id(60, 'k');
  for (std::int64_t i = 0; i < 200'000; ++i) {
    buffer.record_hit(id, i, i);
    buffer.forget(id);  // a set of the same key in between
  }
  buffer.record_hit(id, 1, 1);
  CHECK(buffer.memory_bytes() < 64 * 1024);
  const auto pending = buffer.drain();
  REQUIRE(pending.size() == 1);
  CHECK(pending[0].first == id);
}

TEST_CASE("clear() forgets a cleanup watermark a clock step pushed ahead") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  clock->advance(24h * 365);  // a bad time sync, a year ahead
  cache.set({.key = "a", .ns = {}, .tags = {}}, 1, 1min);
  cache.cleanup_expired();
  clock->advance(-24h * 365);  // and back
  cache.clear();
  const CacheKey key{.key = "fresh", .ns = {}, .tags = {}};
  cache.set(key, 2, 1h);
  CHECK(cache.exists(key));
  CHECK(cache.get_stats().total_entries == 1);
}
