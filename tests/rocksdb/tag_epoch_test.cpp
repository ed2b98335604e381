// erase_by_tags erases lazily: it records an epoch per tag, and a purge (run by maintenance,
// cleanup_expired and compact) deletes the records later. Between the two the cache must
// behave as if the entries were gone: reads, counts, other erases, stats, reopening and
// verify; and the purge must leave nothing behind.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/rocksdb_options.hpp"
#include "../support/temp_dir.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/inspect.hpp"
#include "rocksdb/tag_epochs.hpp"
#include "rocksdb/verify.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheKey;
using portico::cache::ManualClock;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::TimePoint;
using portico::cache::Value;
using portico::cache::testing::TempDir;
using portico::cache::testing::without_maintenance;
namespace internal = portico::cache::internal;

namespace {

CacheKey key(std::string name, std::vector<std::string> tags = {},
             std::optional<std::string> ns = std::nullopt) {
  return CacheKey{.key = std::move(name), .ns = std::move(ns), .tags = std::move(tags)};
}

// What a closed cache directory holds, and whether verify finds it consistent.
struct Stored {
  std::uint64_t records = 0;
  std::uint64_t index_entries = 0;  // tags, namespaces, created and expiry families
  std::size_t epochs = 0;
  std::uint64_t visible = 0;  // entries the inspection functions show
  std::size_t groups = 0;     // tags and namespaces they count entries in
  std::string problems;
};

Stored stored(const std::filesystem::path& path, TimePoint now) {
  internal::Database db(internal::OpenRequest{.dir = path});
  Stored out;
  out.records = internal::count_keys(db, internal::Family::data);
  for (auto family : {internal::Family::tags, internal::Family::namespaces,
                      internal::Family::created, internal::Family::expiry}) {
    out.index_entries += internal::count_keys(db, family);
  }
  out.epochs = internal::TagEpochs::read_stored(db).size();
  internal::scan_entries(db, {}, [&](internal::StoredEntry&&) { return ++out.visible > 0; });
  const std::int64_t now_ns = internal::to_nanos(now);
  out.groups = internal::count_groups(db, internal::Family::tags, now_ns).size() +
               internal::count_groups(db, internal::Family::namespaces, now_ns).size();
  for (const auto& problem : internal::verify_database(db, false, now).problems) {
    out.problems += problem + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("entries erase_by_tags erased read as gone until the purge deletes them") {
  TempDir dir;
  const auto path = dir / "c";
  auto clock = std::make_shared<ManualClock>();
  const TimePoint later = clock->now() + 1s;
  {
    RocksDBCacheAdapter cache(path, without_maintenance(clock));
    for (int i = 0; i < 10; ++i) {
      cache.set(key("a" + std::to_string(i), {"t", "x"}, "n"), Value(i),
                i % 2 == 0 ? std::optional(1h) : std::nullopt);
    }
    clock->advance(1s);
    cache.set(key("b", {"x"}), Value(1));
    CHECK(cache.get(key("a0", {}, "n")));
    CHECK(cache.erase_by_tags({"t", "t"}) == 10);

    CHECK_FALSE(cache.get(key("a0", {}, "n")));
    CHECK_FALSE(cache.exists(key("a1", {}, "n")));
    for (const auto& entry : cache.get_many({key("a2", {}, "n"), key("a3", {}, "n")})) {
      CHECK_FALSE(entry);
    }
    const auto stats = cache.get_stats();
    CHECK(stats.total_entries == 1);
    CHECK(stats.oldest_entry == later);  // the erased entries were older
    CHECK(cache.erase_by_tags({"t"}) == 0);
    CHECK(cache.erase_by_tags({"x"}) == 1);  // b only: the others are gone already
    CHECK(cache.get_stats().total_entries == 0);
    CHECK_FALSE(cache.get_stats().oldest_entry);
  }
  const Stored before = stored(path, clock->now());
  CHECK(before.records == 11);  // nothing rewritten yet
  CHECK(before.epochs == 2);
  CHECK(before.visible == 0);
  CHECK(before.groups == 0);
  CHECK(before.problems.empty());
  {
    RocksDBCacheAdapter cache(path, without_maintenance(clock));
    CHECK(cache.get_stats().total_entries == 0);  // the epochs survive a reopen
    CHECK_FALSE(cache.get(key("b", {"x"})));
    CHECK(cache.cleanup_expired() == 0);  // purges; nothing to settle
  }
  const Stored after = stored(path, clock->now());
  CHECK(after.records == 0);
  CHECK(after.index_entries == 0);
  CHECK(after.epochs == 0);
  CHECK(after.problems.empty());
}

TEST_CASE("a key set again after erase_by_tags is live, at the same instant or earlier") {
  TempDir dir;
  const auto path = dir / "c";
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(path, without_maintenance(clock));
    cache.set(key("k", {"t"}), Value(1));
    CHECK(cache.erase_by_tags({"t"}) == 1);
    cache.set(key("k", {"t"}), Value(2));  // the clock has not moved
    REQUIRE(cache.get(key("k")));
    CHECK(cache.get(key("k"))->as<int>() == 2);
    CHECK(cache.get_stats().total_entries == 1);

    clock->advance(-1h);  // an erase after a set, at an earlier time, still erases it
    CHECK(cache.erase_by_tags({"t"}) == 1);
    CHECK_FALSE(cache.get(key("k")));
    cache.set(key("k", {"t"}), Value(3));
    CHECK(cache.get(key("k"))->as<int>() == 3);
    CHECK(cache.erase_by_tags({"t"}) == 1);
  }
  {
    // Reopened, before any purge: a new set still lands above the stored epoch.
    RocksDBCacheAdapter cache(path, without_maintenance(clock));
    CHECK_FALSE(cache.get(key("k")));
    cache.set(key("k", {"t"}), Value(4));
    REQUIRE(cache.get(key("k")));
    CHECK(cache.get(key("k"))->as<int>() == 4);
    CHECK(cache.get_stats().total_entries == 1);
    cache.compact();  // purges too
    CHECK(cache.get(key("k"))->as<int>() == 4);
  }
  const Stored after = stored(path, clock->now());
  CHECK(after.records == 1);
  CHECK(after.visible == 1);
  CHECK(after.groups == 1);
  CHECK(after.epochs == 0);
  CHECK(after.problems.empty());
}

TEST_CASE("overwriting or erasing an erased entry before the purge does not count it again") {
  TempDir dir;
  const auto path = dir / "c";
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(path, without_maintenance(clock));
    for (const char* name : {"k1", "k2", "k3", "k4"}) cache.set(key(name, {"t"}, "n"), Value(1));
    cache.set(key("k5", {"t"}), Value(1), 1h);
    CHECK(cache.erase_by_tags({"t"}) == 5);
    CHECK(cache.get_stats().total_entries == 0);

    cache.set(key("k1", {"u"}, "n"), Value(2));
    CHECK(cache.get_stats().total_entries == 1);
    CHECK_FALSE(cache.erase(key("k2", {}, "n")));
    CHECK(cache.erase_by_pattern("k3") == 0);
    CHECK(cache.erase_by_namespace("n") == 1);  // k1 alone
    CHECK(cache.get_stats().total_entries == 0);
    clock->advance(2h);  // k5's ledger entry left with the erase: nothing to settle
    CHECK(cache.cleanup_expired() == 0);
    CHECK(cache.get_stats().total_entries == 0);
  }
  const Stored after = stored(path, clock->now());
  CHECK(after.records == 0);
  CHECK(after.problems.empty());
}

TEST_CASE("clear forgets the pending epochs") {
  TempDir dir;
  const auto path = dir / "c";
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(path, without_maintenance(clock));
    cache.set(key("k", {"t"}), Value(1));
    CHECK(cache.erase_by_tags({"t"}) == 1);
    cache.clear();
    cache.set(key("k", {"t"}), Value(2));
    CHECK(cache.get(key("k"))->as<int>() == 2);
  }
  const Stored after = stored(path, clock->now());
  CHECK(after.epochs == 0);
  CHECK(after.records == 1);
  CHECK(after.problems.empty());
}

TEST_CASE("sets racing tag erases and purges keep the count equal to the readable entries") {
  TempDir dir;
  const auto path = dir / "c";
  constexpr int kKeys = 300;
  const auto key_of = [](int i) {
    return key("k" + std::to_string(i), {"g" + std::to_string(i % 7), "all"});
  };
  {
    RocksDBCacheAdapter cache(path, without_maintenance());
    std::atomic<bool> stop{false};
    std::vector<std::thread> threads;
    for (int writer = 0; writer < 2; ++writer) {
      threads.emplace_back([&, writer] {
        for (int round = 0; round < 20; ++round) {
          for (int i = writer; i < kKeys; i += 2) cache.set(key_of(i), Value(i));
        }
      });
    }
    std::thread eraser([&] {
      for (int round = 0; !stop; ++round) cache.erase_by_tags({"g" + std::to_string(round % 7)});
    });
    std::thread purger([&] {
      while (!stop) cache.cleanup_expired();
    });
    for (auto& thread : threads) thread.join();
    stop = true;
    eraser.join();
    purger.join();

    std::uint64_t readable = 0;
    for (int i = 0; i < kKeys; ++i) readable += cache.exists(key_of(i)) ? 1 : 0;
    CHECK(cache.get_stats().total_entries == readable);
    CHECK(cache.erase_by_tags({"all"}) == readable);
    CHECK(cache.get_stats().total_entries == 0);
  }
  CHECK(stored(path, std::chrono::system_clock::now()).problems.empty());
}
