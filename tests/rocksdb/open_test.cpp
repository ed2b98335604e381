#include <doctest/doctest.h>

#include <sys/stat.h>

#include <fstream>

#include <portico/cache/rocksdb_adapter.hpp>
#include <rocksdb/db.h>

#include "../support/child_process.hpp"
#include "../support/rocksdb_options.hpp"
#include "../support/temp_dir.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"

using portico::cache::CacheError;
using portico::cache::CacheKey;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::RocksDBOptions;
using portico::cache::Value;
using portico::cache::testing::ChildProcess;
using portico::cache::testing::TempDir;
using portico::cache::testing::without_maintenance;

namespace {

bool message_contains(const std::function<void()>& open, const std::string& text) {
  try {
    open();
  } catch (const CacheError& e) {
    return std::string(e.what()).find(text) != std::string::npos;
  }
  return false;
}
}  // namespace

TEST_CASE("missing directories are created with mode 0700") {
  TempDir dir;
  const auto path = dir / "a/b/cache";
  RocksDBCacheAdapter cache(path, without_maintenance());
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  REQUIRE(::stat((dir / "a").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0700);
  CHECK(cache.directory() == path);
}

TEST_CASE("a second open of a live directory in this process is a clear error") {
  TempDir dir;
  RocksDBCacheAdapter first(dir / "c", without_maintenance());
  first.set(CacheKey{.key = "k"}, Value(1));
  CHECK(message_contains([&] { RocksDBCacheAdapter second(dir / "c", without_maintenance()); }, "in use"));
  // The failed open left nothing behind: the first instance still works, and once it is
  // closed the directory opens again.
  CHECK(first.exists(CacheKey{.key = "k"}));
}

TEST_CASE("a failed open leaves nothing open") {
  TempDir dir;
  {
    RocksDBCacheAdapter first(dir / "c", without_maintenance());
    CHECK_THROWS_AS(RocksDBCacheAdapter(dir / "c", without_maintenance()), CacheError);
  }
  RocksDBCacheAdapter again(dir / "c", without_maintenance());
  CHECK(again.get_stats().total_entries == 0);
}

TEST_CASE("a directory held by another process is a clear error") {
  TempDir dir;
  { RocksDBCacheAdapter create(dir / "c", without_maintenance()); }
  ChildProcess holder({HOLD_CACHE_BINARY, (dir / "c").string()});
  REQUIRE(holder.read_line() == "ready");
  CHECK(message_contains([&] { RocksDBCacheAdapter second(dir / "c", without_maintenance()); }, "in use"));

  // A read-only open shares the directory with its writer.
  RocksDBCacheAdapter reader(dir / "c", RocksDBOptions{.maintenance_interval = std::nullopt,
                                                       .read_only = true});
  CHECK(reader.get_stats().total_entries == 0);
  holder.close_stdin();
  CHECK(WIFEXITED(holder.wait()));
  CHECK(WEXITSTATUS(holder.wait()) == 0);
}

TEST_CASE("a read-only cache reads and refuses every write") {
  TempDir dir;
  {
    RocksDBCacheAdapter writer(dir / "c", without_maintenance());
    writer.set(CacheKey{.key = "k", .tags = {"t"}}, Value(7));
  }
  RocksDBCacheAdapter reader(dir / "c", RocksDBOptions{.maintenance_interval = std::nullopt,
                                                       .read_only = true});
  CHECK(reader.get(CacheKey{.key = "k"})->as<int>() == 7);
  CHECK_THROWS_AS(reader.set(CacheKey{.key = "x"}, Value(1)), CacheError);
  CHECK_THROWS_AS(reader.erase(CacheKey{.key = "k"}), CacheError);
  CHECK_THROWS_AS(reader.erase_by_tags({"t"}), CacheError);
  CHECK_THROWS_AS(reader.clear(), CacheError);
  CHECK_THROWS_AS(reader.cleanup_expired(), CacheError);
  CHECK(reader.exists(CacheKey{.key = "k"}));
}

TEST_CASE("read-only open of a directory without a cache is an error") {
  TempDir dir;
  CHECK_THROWS_AS(RocksDBCacheAdapter(dir / "nothing",
                                      RocksDBOptions{.maintenance_interval = std::nullopt,
                                                     .read_only = true}),
                  CacheError);
  CHECK_FALSE(std::filesystem::exists(dir / "nothing"));
}

TEST_CASE("a non-empty directory that holds no cache is refused") {
  TempDir dir;
  std::filesystem::create_directories(dir / "docs");
  std::ofstream(dir / "docs" / "notes.txt") << "not a cache";
  CHECK(message_contains([&] { RocksDBCacheAdapter cache(dir / "docs", without_maintenance()); },
                         "not a cache directory"));
  CHECK(std::filesystem::exists(dir / "docs" / "notes.txt"));
  CHECK_FALSE(std::filesystem::exists(dir / "docs" / "CURRENT"));
}

TEST_CASE("a RocksDB database of another layout is refused") {
  TempDir dir;
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, (dir / "other").string(), &raw).ok());
    delete raw;
  }
  CHECK(message_contains([&] { RocksDBCacheAdapter cache(dir / "other", without_maintenance()); },
                         "not a cache directory"));
}

TEST_CASE("a newer on-disk format is refused with a clear message") {
  TempDir dir;
  { RocksDBCacheAdapter create(dir / "c", without_maintenance()); }
  {
    namespace internal = portico::cache::internal;
    internal::Database db(internal::OpenRequest{.dir = dir / "c"});
    REQUIRE(db.db()
                .Put(rocksdb::WriteOptions(), db.family(internal::Family::meta),
                     std::string(internal::kMetaFormatVersion), "99")
                .ok());
  }
  CHECK(message_contains([&] { RocksDBCacheAdapter cache(dir / "c", without_maintenance()); },
                         "newer than this library"));
}

TEST_CASE("a format 1 directory opens, read-only as it is, writable upgraded to the current format") {
  namespace internal = portico::cache::internal;
  TempDir dir;
  {
    RocksDBCacheAdapter create(dir / "c", without_maintenance());
    create.set(CacheKey{.key = "k"}, Value(1));
  }
  auto stored_version = [&] {
    internal::Database db(internal::OpenRequest{.dir = dir / "c", .mode = internal::OpenMode::read_only});
    return db.format_version();
  };
  {
    internal::Database db(internal::OpenRequest{.dir = dir / "c"});
    REQUIRE(db.db()
                .Put(rocksdb::WriteOptions(), db.family(internal::Family::meta),
                     std::string(internal::kMetaFormatVersion), "1")
                .ok());
  }
  {
    RocksDBCacheAdapter reader(dir / "c", RocksDBOptions{.maintenance_interval = std::nullopt,
                                                         .read_only = true});
    CHECK(reader.get(CacheKey{.key = "k"})->as<int>() == 1);
  }
  CHECK(stored_version() == 1);
  {
    RocksDBCacheAdapter writer(dir / "c", without_maintenance());
    CHECK(writer.get(CacheKey{.key = "k"})->as<int>() == 1);
  }
  CHECK(stored_version() == internal::kFormatVersion);
}

TEST_CASE("a path that is a file is an error") {
  TempDir dir;
  std::ofstream(dir / "file") << "x";
  CHECK_THROWS_AS(RocksDBCacheAdapter(dir / "file", without_maintenance()), CacheError);
}

TEST_CASE("bad options are invalid_argument and create nothing") {
  TempDir dir;
  CHECK_THROWS_AS(RocksDBCacheAdapter(dir / "a", RocksDBOptions{.clock = nullptr}),
                  std::invalid_argument);
  CHECK_THROWS_AS(
      RocksDBCacheAdapter(dir / "b", RocksDBOptions{.maintenance_interval = std::chrono::milliseconds(0)}),
      std::invalid_argument);
  CHECK_FALSE(std::filesystem::exists(dir / "a"));
  CHECK_FALSE(std::filesystem::exists(dir / "b"));
}
