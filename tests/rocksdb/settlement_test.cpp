// cleanup_expired() settles the expiry ledger without touching the expired records: these
// tests check that the count stays exact while settled records wait for the compaction filter,
// whatever is done to their keys meanwhile.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/rocksdb_options.hpp"
#include "../support/temp_dir.hpp"
#include "expiry_fixture.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"
#include "rocksdb/inspect.hpp"
#include "rocksdb/verify.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheItem;
using portico::cache::CacheKey;
using portico::cache::ManualClock;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::Value;
using portico::cache::testing::TempDir;
using portico::cache::testing::count_family_keys;
using portico::cache::testing::expiring_key;
using portico::cache::testing::fill_half_expiring;
using portico::cache::testing::lasting_key;
using portico::cache::testing::without_maintenance;
namespace internal = portico::cache::internal;

namespace {

// Verifies the closed cache in `dir`; returns the count verify expects.
std::int64_t verify_clean(const std::filesystem::path& dir, portico::cache::TimePoint now) {
  internal::Database db(internal::OpenRequest{.dir = dir});
  const auto report = internal::verify_database(db, false, now);
  std::string problems;
  for (const auto& p : report.problems) problems += p + "\n";
  CHECK_MESSAGE(report.ok(), problems);
  return report.expected_count;
}

}  // namespace

TEST_CASE("cleanup settles the count and leaves the expired records to the filter") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    fill_half_expiring(cache);
    clock->advance(2min);
    CHECK(cache.cleanup_expired() == 40);
    CHECK(cache.get_stats().total_entries == 40);
    CHECK(cache.cleanup_expired() == 0);
    CHECK_FALSE(cache.get(expiring_key(1)));
    CHECK_FALSE(cache.exists(expiring_key(1)));
  }
  CHECK(count_family_keys(dir / "c", internal::Family::data) == 80);  // not rewritten by the cleanup
  CHECK(count_family_keys(dir / "c", internal::Family::expiry) == 0);
  CHECK(verify_clean(dir / "c", clock->now()) == 40);
  {
    // The inspection scans leave settled records out, as the adapter does.
    internal::Database db(internal::OpenRequest{.dir = dir / "c", .mode = internal::OpenMode::read_only});
    const auto groups = internal::count_groups(db, internal::Family::tags, internal::to_nanos(clock->now()));
    REQUIRE(groups.size() == 1);
    CHECK(groups[0].name == "t");
    CHECK(groups[0].live == 40);
    CHECK(groups[0].expired == 0);
    std::size_t listed = 0;
    internal::scan_entries(db, internal::EntryScan{}, [&](internal::StoredEntry&&) {
      ++listed;
      return true;
    });
    CHECK(listed == 40);
  }

  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  CHECK(cache.get_stats().total_entries == 40);
  // Erasing a settled entry removes it without counting it again.
  CHECK_FALSE(cache.erase(expiring_key(0)));
  CHECK(cache.get_stats().total_entries == 40);
  // Setting a settled key creates a new, counted entry.
  cache.set(expiring_key(1), Value(100), 1h);
  cache.set_many({CacheItem{.key = expiring_key(2), .value = Value(200)}});
  CHECK(cache.get_stats().total_entries == 42);
  CHECK(cache.get(expiring_key(1))->as<int>() == 100);
  // Group erases skip the settled entries in the count and in what they report.
  CHECK(cache.erase_by_tags({"u"}) == 2);
  CHECK(cache.get_stats().total_entries == 40);
  CHECK(cache.erase_by_pattern("n:exp*") == 0);
  CHECK(cache.erase_by_namespace("n") == 40);
  CHECK(cache.get_stats().total_entries == 0);
  cache.compact();
  CHECK(cache.get_stats().total_entries == 0);
}

TEST_CASE("the compaction filter drops settled records and the cache verifies clean") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    fill_half_expiring(cache);
    clock->advance(2min);
    CHECK(cache.cleanup_expired() == 40);
    cache.compact();
    CHECK(cache.get_stats().total_entries == 40);
  }
  CHECK(count_family_keys(dir / "c", internal::Family::data) == 40);
  CHECK(count_family_keys(dir / "c", internal::Family::tags) == 40);
  CHECK(count_family_keys(dir / "c", internal::Family::created) == 40);
  CHECK(verify_clean(dir / "c", clock->now()) == 40);
}

TEST_CASE("a settled entry stays expired when the clock goes back, across a reopen") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  const auto start = clock->now();
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    cache.set(CacheKey{.key = "k", .tags = {"t"}}, Value(1), 1min);
    clock->advance(2min);
    CHECK(cache.cleanup_expired() == 1);
  }
  clock->set(start);
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  CHECK_FALSE(cache.get(CacheKey{.key = "k"}));
  CHECK_FALSE(cache.exists(CacheKey{.key = "k"}));
  CHECK(cache.get_stats().total_entries == 0);
  CHECK(cache.erase_by_tags({"t"}) == 0);
  CHECK(cache.get_stats().total_entries == 0);
  // Expiring below the watermark, an entry is born settled: expired and never counted.
  cache.set(CacheKey{.key = "k"}, Value(2), 1min);
  CHECK_FALSE(cache.get(CacheKey{.key = "k"}));
  CHECK(cache.get_stats().total_entries == 0);
  cache.set(CacheKey{.key = "k"}, Value(3), 1h);
  CHECK(cache.get(CacheKey{.key = "k"})->as<int>() == 3);
  CHECK(cache.get_stats().total_entries == 1);
  cache.set(CacheKey{.key = "k"}, Value(4), 1min);
  CHECK(cache.get_stats().total_entries == 0);
  CHECK(cache.cleanup_expired() == 0);
}

TEST_CASE("verify reports a ledger entry below the cleanup watermark") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  const auto start = clock->now();
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    cache.set(CacheKey{.key = "k"}, Value(1), 1min);
    clock->advance(2min);
    CHECK(cache.cleanup_expired() == 1);
  }
  internal::Database db(internal::OpenRequest{.dir = dir / "c"});
  REQUIRE(db.db()
              .Put(rocksdb::WriteOptions(), db.family(internal::Family::expiry),
                   internal::expiry_index_key(internal::to_nanos(start + 1min),
                                              internal::to_nanos(start), internal::encode_id(CacheKey{.key = "k"})),
                   "")
              .ok());
  const auto report = internal::verify_database(db, true, clock->now());
  REQUIRE(report.problems.size() == 1);
  CHECK(report.problems[0].find("below the cleanup watermark") != std::string::npos);
  CHECK(internal::verify_database(db, false, clock->now()).ok());
}

TEST_CASE("oldest and newest entry skip settled entries") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  const auto t0 = clock->now();
  cache.set(CacheKey{.key = "old"}, Value(1), 1min);
  clock->advance(30s);
  cache.set(CacheKey{.key = "kept"}, Value(2));
  clock->advance(30s);
  cache.set(CacheKey{.key = "young"}, Value(3), 1min);
  clock->advance(5min);
  CHECK(cache.get_stats().oldest_entry == t0);  // expired, not yet cleaned up: still counted
  CHECK(cache.cleanup_expired() == 2);
  const auto stats = cache.get_stats();
  CHECK(stats.total_entries == 1);
  CHECK(stats.oldest_entry == t0 + 30s);
  CHECK(stats.newest_entry == t0 + 30s);
}

TEST_CASE("a cleanup of more than one slice settles every entry") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  constexpr int kEntries = 20'000;  // more than two slices
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    std::vector<CacheItem> items;
    for (int i = 0; i < kEntries; ++i) {
      // Spread over time, so the slices end at different expiry times.
      items.push_back(CacheItem{.key = CacheKey{.key = "k" + std::to_string(i)},
                                .value = Value(i),
                                .ttl = std::chrono::seconds(1 + i % 50)});
    }
    cache.set_many(std::move(items));
    cache.set(CacheKey{.key = "later"}, Value(0), 1h);
    clock->advance(2min);
    CHECK(cache.cleanup_expired() == kEntries);
    CHECK(cache.get_stats().total_entries == 1);
    CHECK(cache.exists(CacheKey{.key = "later"}));
  }
  CHECK(count_family_keys(dir / "c", internal::Family::expiry) == 1);
  CHECK(verify_clean(dir / "c", clock->now()) == 1);
}

TEST_CASE("cleanups racing sets and erases of expiring keys keep the count exact") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  constexpr int kKeys = 300;
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    std::atomic<bool> done{false};
    std::thread cleaner([&] {
      while (!done.load()) {
        cache.cleanup_expired();
        clock->advance(1s);
      }
    });
    // Short TTLs against a clock the cleaner moves: keys expire, are settled, are set again
    // and erased while cleanups run.
    for (int round = 0; round < 20; ++round) {
      for (int i = 0; i < kKeys; ++i) {
        const CacheKey key{.key = "k" + std::to_string(i), .tags = {"t" + std::to_string(i % 7)}};
        if ((i + round) % 5 == 0) {
          cache.erase(key);
        } else {
          cache.set(key, Value(round), std::chrono::seconds(1 + (i + round) % 3));
        }
      }
      cache.erase_by_tags({"t" + std::to_string(round % 7)});
    }
    done = true;
    cleaner.join();
  }
  const std::int64_t expected = verify_clean(dir / "c", clock->now());
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  CHECK(cache.get_stats().total_entries == static_cast<std::uint64_t>(expected));
  clock->advance(1h);
  cache.cleanup_expired();
  CHECK(cache.get_stats().total_entries == 0);
}
