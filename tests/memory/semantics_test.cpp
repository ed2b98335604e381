// The contract's semantics as the memory adapter keeps them, including the parts the
// conformance suite leaves open (what get_stats counts, expired entries found by reads).
#include <doctest/doctest.h>

#include <chrono>
#include <limits>
#include <memory>
#include <string>

#include <portico/cache/memory_adapter.hpp>

#include "helpers.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico::cache::testing::key;

namespace {

struct ClockedCache {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  MemoryCacheAdapter cache{MemoryOptions{.clock = clock}};
};

}  // namespace

TEST_CASE("keys with equal full_key are distinct entries") {
  MemoryCacheAdapter cache;
  const CacheKey a{.key = "c", .ns = "a:b"};
  const CacheKey b{.key = "b:c", .ns = "a"};
  const CacheKey c{.key = "a:b:c"};
  cache.set(a, 1);
  cache.set(b, 2);
  cache.set(c, 3);
  CHECK(cache.get(a)->as<int>() == 1);
  CHECK(cache.get(b)->as<int>() == 2);
  CHECK(cache.get(c)->as<int>() == 3);
  CHECK(cache.erase_by_namespace("a") == 1);
  CHECK(cache.exists(a));
  CHECK_FALSE(cache.exists(b));
  CHECK(cache.erase_by_pattern("a:b:c") == 2);
  CHECK(cache.get_stats().total_entries == 0);
}

TEST_CASE("get touches the entry and returns it after this hit") {
  ClockedCache clocked;
  const TimePoint stored_at = clocked.clock->now();
  clocked.cache.set(CacheKey{.key = "k", .ns = "n", .tags = {"x", "y"}}, 7, 1h);
  clocked.clock->advance(5s);

  const auto first = clocked.cache.get(CacheKey{.key = "k", .ns = "n"});
  REQUIRE(first.has_value());
  CHECK(first->hit_count == 1);
  CHECK(first->created_at == stored_at);
  CHECK(first->last_accessed == stored_at + 5s);
  CHECK(first->expires_at == stored_at + 1h);
  CHECK(first->key.tags == std::vector<std::string>{"x", "y"});
  CHECK(first->key.ns == "n");

  clocked.clock->advance(1s);
  CHECK(clocked.cache.get(CacheKey{.key = "k", .ns = "n"})->hit_count == 2);

  clocked.cache.set(CacheKey{.key = "k", .ns = "n"}, 8);  // a rewrite starts afresh
  const auto rewritten = clocked.cache.get(CacheKey{.key = "k", .ns = "n"});
  CHECK(rewritten->hit_count == 1);
  CHECK(rewritten->created_at == stored_at + 6s);
  CHECK(rewritten->key.tags.empty());
  CHECK_FALSE(rewritten->expires_at.has_value());
}

TEST_CASE("an overwrite in place (same tags, same value size) starts the entry afresh") {
  ClockedCache clocked;
  MemoryCacheAdapter& cache = clocked.cache;
  const TimePoint t0 = clocked.clock->now();
  const CacheKey k{.key = "k", .ns = "n", .tags = {"x"}};
  cache.set(k, 1, 1h);  // msgpack 1 and 2 are both one byte: the value is replaced in place
  cache.set(CacheKey{.key = "other", .tags = {"x"}}, 5);
  cache.get(k);
  const std::optional<std::uint64_t> footprint = cache.get_stats().memory_usage_bytes;

  clocked.clock->advance(10s);
  cache.set(k, 2, 2h);
  const auto entry = cache.get(k);
  REQUIRE(entry.has_value());
  CHECK(entry->as<int>() == 2);
  CHECK(entry->hit_count == 1);
  CHECK(entry->created_at == t0 + 10s);
  CHECK(entry->expires_at == t0 + 10s + 2h);
  CHECK(cache.get_stats().memory_usage_bytes == footprint);
  CHECK(cache.get_stats().newest_entry == t0 + 10s);
  CHECK(cache.get_stats().oldest_entry == t0);  // "other"

  clocked.clock->advance(1h + 1s);  // past the old expiry, not the new one
  CHECK(cache.cleanup_expired() == 0);
  CHECK(cache.get(k)->as<int>() == 2);
  cache.set(k, 3);  // no ttl now
  clocked.clock->advance(3h);
  CHECK(cache.cleanup_expired() == 0);
  CHECK(cache.exists(k));
  CHECK(cache.erase_by_namespace("n") == 1);
  CHECK(cache.erase_by_tags({"x"}) == 1);  // "other"
  CHECK(cache.get_stats().total_entries == 0);
}

TEST_CASE("an overwrite in place makes the entry the most recently used") {
  MemoryCacheAdapter cache(MemoryOptions{.max_size = 2});
  cache.set(key("a"), 1);
  cache.set(key("b"), 1);
  cache.set(key("a"), 2);  // same size: in place, and now newer than b
  cache.set(key("c"), 1);
  CHECK(cache.exists(key("a")));
  CHECK_FALSE(cache.exists(key("b")));
}

TEST_CASE("overwriting moves the entry out of its old tags") {
  MemoryCacheAdapter cache;
  cache.set(CacheKey{.key = "k", .tags = {"old"}}, 1);
  cache.set(CacheKey{.key = "k", .tags = {"new"}}, 2);
  CHECK(cache.erase_by_tags({"old"}) == 0);
  CHECK(cache.exists(key("k")));
  CHECK(cache.erase_by_tags({"new", "old"}) == 1);
  CHECK_FALSE(cache.exists(key("k")));
}

TEST_CASE("an entry with several matching tags is erased and counted once") {
  MemoryCacheAdapter cache;
  cache.set(CacheKey{.key = "both", .tags = {"x", "y"}}, 1);
  cache.set(CacheKey{.key = "x-only", .tags = {"x"}}, 2);
  cache.set(CacheKey{.key = "none"}, 3);
  CHECK(cache.erase_by_tags({"x", "y"}) == 2);
  CHECK(cache.get_stats().total_entries == 1);
}

TEST_CASE("hits and misses are counted by get only") {
  ClockedCache clocked;
  MemoryCacheAdapter& cache = clocked.cache;
  cache.set(key("k"), 1, 1s);
  CHECK(cache.exists(key("k")));
  CHECK_FALSE(cache.exists(key("absent")));
  CHECK(cache.get(key("k")).has_value());
  CHECK_FALSE(cache.get(key("absent")).has_value());
  clocked.clock->advance(2s);
  CHECK_FALSE(cache.get(key("k")).has_value());  // expired: a miss
  const CacheStats stats = cache.get_stats();
  CHECK(stats.total_hits == 1);
  CHECK(stats.total_misses == 2);
  CHECK(stats.hit_rate == doctest::Approx(1.0 / 3.0));
}

TEST_CASE("expired entries are invisible, removed when found, and never counted as erased") {
  ClockedCache clocked;
  MemoryCacheAdapter& cache = clocked.cache;
  for (const char* name : {"get", "exists", "erase", "tagged", "spaced", "pattern", "many"}) {
    cache.set(CacheKey{.key = name, .tags = {"t"}}, 1, 1s);
  }
  cache.set(CacheKey{.key = "spaced", .ns = "n"}, 1, 1s);
  cache.set(CacheKey{.key = "live", .tags = {"t"}}, 1);
  clocked.clock->advance(2s);
  CHECK(cache.get_stats().total_entries == 9);  // stored until something removes them

  CHECK_FALSE(cache.get(key("get")).has_value());
  CHECK_FALSE(cache.exists(key("exists")));
  CHECK_FALSE(cache.erase(key("erase")));
  CHECK(cache.get_stats().total_entries == 6);
  CHECK(cache.erase_by_namespace("n") == 0);
  CHECK(cache.erase_many({key("many")}) == 0);
  CHECK(cache.erase_by_pattern("pat*") == 0);
  CHECK(cache.get_stats().total_entries == 3);
  CHECK(cache.erase_by_tags({"t"}) == 1);  // "live" only; "tagged" and "spaced" go too
  CHECK(cache.get_stats().total_entries == 0);
}

TEST_CASE("cleanup_expired removes exactly the expired entries") {
  ClockedCache clocked;
  for (int i = 0; i < 10; ++i) {
    clocked.cache.set(key("k" + std::to_string(i)), i, std::chrono::seconds(i + 1));
  }
  clocked.clock->advance(std::chrono::milliseconds(4500));
  CHECK(clocked.cache.cleanup_expired() == 4);
  CHECK(clocked.cache.get_stats().total_entries == 6);
  CHECK(clocked.cache.cleanup_expired() == 0);
  CHECK(clocked.cache.exists(key("k4")));
}

TEST_CASE("an entry expires strictly after its expiry time") {
  ClockedCache clocked;
  clocked.cache.set(key("k"), 1, 1s);
  clocked.clock->advance(1s);
  CHECK(clocked.cache.exists(key("k")));
  clocked.clock->advance(1us);
  CHECK_FALSE(clocked.cache.exists(key("k")));
}

TEST_CASE("a TTL beyond the range of time never expires") {
  ClockedCache clocked;
  clocked.cache.set(key("k"), 1, Ttl::max());
  const auto entry = clocked.cache.get(key("k"));
  REQUIRE(entry.has_value());
  CHECK(entry->expires_at == TimePoint::max());
  clocked.clock->advance(std::chrono::hours(24 * 365 * 100));
  CHECK(clocked.cache.exists(key("k")));
}

TEST_CASE("oldest and newest follow created_at, even when the clock goes backwards") {
  ClockedCache clocked;
  CHECK_FALSE(clocked.cache.get_stats().oldest_entry.has_value());
  const TimePoint start = clocked.clock->now();
  clocked.cache.set(key("a"), 1);
  clocked.clock->set(start - 1h);
  clocked.cache.set(key("b"), 1);
  clocked.clock->set(start + 1h);
  clocked.cache.set(key("c"), 1);

  CacheStats stats = clocked.cache.get_stats();
  CHECK(stats.oldest_entry == start - 1h);
  CHECK(stats.newest_entry == start + 1h);
  clocked.cache.erase(key("b"));
  clocked.cache.erase(key("c"));
  stats = clocked.cache.get_stats();
  CHECK(stats.oldest_entry == start);
  CHECK(stats.newest_entry == start);
  clocked.cache.clear();
  CHECK_FALSE(clocked.cache.get_stats().newest_entry.has_value());
}

TEST_CASE("clear removes entries but keeps the hit and miss totals") {
  MemoryCacheAdapter cache;
  cache.set(key("k"), 1);
  (void)cache.get(key("k"));
  (void)cache.get(key("absent"));
  cache.clear();
  const CacheStats stats = cache.get_stats();
  CHECK(stats.total_entries == 0);
  CHECK(stats.total_hits == 1);
  CHECK(stats.total_misses == 1);
}

TEST_CASE("batches keep key order, count each read and let the last write win") {
  MemoryCacheAdapter cache;
  std::vector<CacheItem> items;
  for (int i = 0; i < 100; ++i) items.push_back({.key = key("k" + std::to_string(i)), .value = i});
  items.push_back({.key = key("k5"), .value = 500});
  cache.set_many(std::move(items));
  CHECK(cache.get_stats().total_entries == 100);

  const auto entries = cache.get_many({key("k5"), key("absent"), key("k99"), key("k5")});
  REQUIRE(entries.size() == 4);
  CHECK(entries[0]->as<int>() == 500);
  CHECK(entries[0]->hit_count == 1);
  CHECK_FALSE(entries[1].has_value());
  CHECK(entries[2]->as<int>() == 99);
  CHECK(entries[3]->hit_count == 2);
  CHECK(cache.get_stats().total_hits == 3);
  CHECK(cache.get_stats().total_misses == 1);

  CHECK(cache.erase_many({key("k1"), key("k2"), key("k1"), key("absent")}) == 2);
  CHECK(cache.get_stats().total_entries == 98);
}

TEST_CASE("set_many respects max_size") {
  MemoryCacheAdapter cache(MemoryOptions{.max_size = 10});
  std::vector<CacheItem> items;
  for (int i = 0; i < 50; ++i) items.push_back({.key = key("k" + std::to_string(i)), .value = i});
  cache.set_many(std::move(items));
  CHECK(cache.get_stats().total_entries == 10);
  CHECK(cache.exists(key("k49")));
  CHECK_FALSE(cache.exists(key("k39")));
}
