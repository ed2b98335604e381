#include <doctest/doctest.h>

#include <chrono>

#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/rocksdb_options.hpp"
#include "../support/temp_dir.hpp"
#include "expiry_fixture.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/verify.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheKey;
using portico::cache::ManualClock;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::RocksDBOptions;
using portico::cache::Value;
using portico::cache::testing::TempDir;
using portico::cache::testing::count_family_keys;
using portico::cache::testing::fill_half_expiring;
using portico::cache::testing::without_maintenance;
namespace internal = portico::cache::internal;

TEST_CASE("the compaction filter drops expired entries and their index entries") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    fill_half_expiring(cache);
    clock->advance(2min);
    cache.compact();
    // The filter dropped the data, but the count waits for the ledger to settle it.
    CHECK(cache.get_stats().total_entries == 80);
    CHECK_FALSE(cache.exists(CacheKey{.key = "exp1", .ns = "n"}));
  }
  CHECK(count_family_keys(dir / "c", internal::Family::data) == 40);
  CHECK(count_family_keys(dir / "c", internal::Family::tags) == 40);        // only the live ones' "t"
  CHECK(count_family_keys(dir / "c", internal::Family::namespaces) == 40);
  CHECK(count_family_keys(dir / "c", internal::Family::created) == 40);
  CHECK(count_family_keys(dir / "c", internal::Family::expiry) == 40);      // the ledger is kept

  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  CHECK(cache.cleanup_expired() == 40);
  CHECK(cache.get_stats().total_entries == 40);
  CHECK(cache.cleanup_expired() == 0);
  CHECK(cache.erase_by_tags({"t"}) == 40);
  CHECK(cache.get_stats().total_entries == 0);
}

TEST_CASE("a key re-created after the filter dropped it is counted once") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  cache.set(CacheKey{.key = "k", .tags = {"old"}}, Value(1), 1min);
  clock->advance(2min);
  cache.compact();
  cache.set(CacheKey{.key = "k", .tags = {"new"}}, Value(2), 1h);
  CHECK(cache.get_stats().total_entries == 2);  // one live, one dropped but not yet settled
  CHECK(cache.cleanup_expired() == 1);
  CHECK(cache.get_stats().total_entries == 1);
  CHECK(cache.get(CacheKey{.key = "k"})->as<int>() == 2);
  CHECK(cache.erase_by_tags({"old"}) == 0);
  CHECK(cache.exists(CacheKey{.key = "k"}));
  CHECK(cache.erase_by_tags({"new"}) == 1);
  CHECK(cache.get_stats().total_entries == 0);
}

TEST_CASE("stale index entries left by the filter are skipped by tag and namespace erases") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  fill_half_expiring(cache);
  clock->advance(2min);
  cache.compact();
  CHECK(cache.erase_by_tags({"u"}) == 0);
  CHECK(cache.erase_by_namespace("n") == 40);
  CHECK(cache.cleanup_expired() == 40);
  CHECK(cache.get_stats().total_entries == 0);
}

TEST_CASE("the cache verifies clean after compaction and cleanup") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    fill_half_expiring(cache);
    clock->advance(2min);
    cache.compact();
  }
  {
    internal::Database db(internal::OpenRequest{.dir = dir / "c"});
    const auto report = internal::verify_database(db, false, clock->now());
    CHECK(report.ok());
    CHECK(report.entries == 40);
    CHECK(report.expected_count == 80);  // 40 dropped entries still wait for their settlement
  }
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  cache.cleanup_expired();
}
