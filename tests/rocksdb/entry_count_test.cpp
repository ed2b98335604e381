// A writing instance reports total_entries from its own running count rather than reading the
// stored counter (whose merge operands pile up in the memtable, one per set). Every kind of
// change must move both alike: these tests compare the two after each one, reading the stored
// counter through a secondary instance that follows the writer.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/rocksdb_options.hpp"
#include "../support/temp_dir.hpp"
#include "rocksdb/database.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheItem;
using portico::cache::CacheKey;
using portico::cache::ManualClock;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::testing::TempDir;
using portico::cache::testing::without_maintenance;
namespace internal = portico::cache::internal;

namespace {

// The stored entry count of the live cache in `dir`.
std::int64_t stored_count(const std::filesystem::path& dir, const std::filesystem::path& scratch) {
  internal::OpenRequest request;
  request.dir = dir;
  request.mode = internal::OpenMode::secondary;
  request.secondary_dir = scratch;
  internal::Database follower(request);
  return follower.read_counter(internal::kMetaEntryCount);
}

CacheKey tagged(int i) {
  return CacheKey{.key = "k" + std::to_string(i),
                  .ns = i % 2 == 0 ? std::optional<std::string>("even") : std::nullopt,
                  .tags = {"t" + std::to_string(i % 3)}};
}

}  // namespace

TEST_CASE("total_entries moves with the stored count through every kind of change") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  int step = 0;
  const auto agree = [&](std::uint64_t expected) {
    CAPTURE(step);
    CHECK(cache.get_stats().total_entries == expected);
    CHECK(stored_count(dir / "c", dir / ("follower-" + std::to_string(step++))) ==
          static_cast<std::int64_t>(expected));
  };

  for (int i = 0; i < 30; ++i) cache.set(tagged(i), i, i < 10 ? std::optional(1min) : std::nullopt);
  agree(30);
  cache.set(tagged(0), "again");  // an overwrite counts nothing
  agree(30);
  std::vector<CacheItem> items;
  for (int i = 30; i < 40; ++i) items.push_back(CacheItem{.key = tagged(i), .value = i, .ttl = {}});
  items.push_back(CacheItem{.key = tagged(1), .value = 1, .ttl = {}});
  cache.set_many(std::move(items));
  agree(40);
  CHECK(cache.erase(tagged(2)));
  CHECK_FALSE(cache.erase(tagged(2)));
  agree(39);
  CHECK(cache.erase_many({tagged(3), tagged(4), CacheKey{.key = "absent"}}) == 2);
  agree(37);
  CHECK(cache.erase_by_tags({"t0"}) == 13);
  agree(24);
  CHECK(cache.erase_by_namespace("even") == 11);
  agree(13);
  CHECK(cache.erase_by_pattern("k3*") == 3);
  agree(10);
  clock->advance(2min);  // k5 and k7 expire: counted until a cleanup settles them
  agree(10);
  CHECK(cache.cleanup_expired() == 2);
  agree(8);
  cache.clear();
  agree(0);
  cache.set(tagged(100), 1);
  agree(1);
}

TEST_CASE("a reopened writer starts from the stored count") {
  TempDir dir;
  auto clock = std::make_shared<ManualClock>();
  {
    RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
    for (int i = 0; i < 25; ++i) cache.set(tagged(i), i);
    CHECK(cache.erase(tagged(0)));
  }
  RocksDBCacheAdapter cache(dir / "c", without_maintenance(clock));
  CHECK(cache.get_stats().total_entries == 24);
  cache.set(tagged(100), 1);
  CHECK(cache.get_stats().total_entries == 25);
}
