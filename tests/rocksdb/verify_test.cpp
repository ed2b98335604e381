#include <doctest/doctest.h>

#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/rocksdb_options.hpp"
#include "../support/temp_dir.hpp"
#include "rocksdb/counter_merge.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"
#include "rocksdb/verify.hpp"

using portico::cache::CacheKey;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::RocksDBOptions;
using portico::cache::Value;
using portico::cache::testing::TempDir;
using portico::cache::testing::without_maintenance;
namespace internal = portico::cache::internal;

namespace {
void make_cache(const std::filesystem::path& path) {
  RocksDBCacheAdapter cache(path, without_maintenance());
  for (int i = 0; i < 10; ++i) {
    cache.set(CacheKey{.key = std::to_string(i), .ns = "n", .tags = {"t"}}, Value(i),
              std::chrono::hours(1));
  }
}

internal::VerifyReport verify(const std::filesystem::path& path, bool repair) {
  internal::Database db(internal::OpenRequest{.dir = path});
  return internal::verify_database(db, repair, std::chrono::system_clock::now());
}

// Applies a raw change to one family, as damage from outside would.
template <class Change>
void damage(const std::filesystem::path& path, Change&& change) {
  internal::Database db(internal::OpenRequest{.dir = path});
  change(db);
}
}  // namespace

TEST_CASE("verify finds nothing wrong in a healthy cache") {
  TempDir dir;
  make_cache(dir / "c");
  const auto report = verify(dir / "c", false);
  CHECK(report.ok());
  CHECK(report.entries == 10);
  CHECK(report.stored_count == 10);
}

TEST_CASE("verify finds and repairs a missing tag index entry") {
  TempDir dir;
  make_cache(dir / "c");
  const CacheKey key{.key = "3", .ns = "n"};
  damage(dir / "c", [&](internal::Database& db) {
    REQUIRE(db.db()
                .Delete(rocksdb::WriteOptions(), db.family(internal::Family::tags),
                        internal::group_index_key("t", internal::encode_id(key)))
                .ok());
  });
  auto report = verify(dir / "c", true);
  CHECK_FALSE(report.ok());
  CHECK(report.repaired);
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].find("n:3") != std::string::npos);
  CHECK(verify(dir / "c", false).ok());
  RocksDBCacheAdapter cache(dir / "c", without_maintenance());
  CHECK(cache.erase_by_tags({"t"}) == 10);
}

TEST_CASE("verify finds and repairs a dangling index entry and a wrong count") {
  TempDir dir;
  make_cache(dir / "c");
  damage(dir / "c", [&](internal::Database& db) {
    const std::string ghost = internal::encode_id(CacheKey{.key = "ghost"});
    REQUIRE(db.db()
                .Put(rocksdb::WriteOptions(), db.family(internal::Family::tags),
                     internal::group_index_key("t", ghost), internal::encode_index_value(1, {}))
                .ok());
    REQUIRE(db.db()
                .Merge(rocksdb::WriteOptions(), db.family(internal::Family::meta),
                       std::string(internal::kMetaEntryCount), internal::encode_counter(5))
                .ok());
  });
  const auto report = verify(dir / "c", true);
  CHECK(report.problems.size() == 2);
  CHECK(report.stored_count == 15);
  CHECK(report.expected_count == 10);
  CHECK(verify(dir / "c", false).ok());
  RocksDBCacheAdapter cache(dir / "c", without_maintenance());
  CHECK(cache.get_stats().total_entries == 10);
}
