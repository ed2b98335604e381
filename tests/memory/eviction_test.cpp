// Eviction order under LRU and LFU, policy switches at run time, and the max_size bound.
// Bounds below 64 entries per shard give a single shard, so the order tested is exact.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include <portico/cache/memory_adapter.hpp>

#include "helpers.hpp"

using namespace portico::cache;
using portico::cache::testing::key;

namespace {

struct SmallCache {
  explicit SmallCache(EvictionPolicy policy, std::size_t max_size = 3)
      : cache(MemoryOptions{.max_size = max_size, .eviction_policy = policy, .clock = clock}) {}

  void set(const std::string& name) { cache.set(key(name), Value(name)); }
  void hit(const std::string& name, int times = 1) {
    for (int i = 0; i < times; ++i) REQUIRE(cache.get(key(name)).has_value());
  }
  bool has(const std::string& name) { return cache.exists(key(name)); }

  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  MemoryCacheAdapter cache;
};

}  // namespace

TEST_CASE("LRU evicts the least recently used entry") {
  SmallCache small(EvictionPolicy::lru);
  small.set("a");
  small.set("b");
  small.set("c");
  small.hit("a");  // order of use now: b, c, a
  small.set("d");
  CHECK_FALSE(small.has("b"));
  CHECK(small.has("a"));
  CHECK(small.has("c"));
  CHECK(small.has("d"));

  small.set("e");  // c is now the least recently used
  CHECK_FALSE(small.has("c"));
  CHECK(small.has("a"));
}

TEST_CASE("LRU: exists does not count as a use, overwriting does") {
  SmallCache small(EvictionPolicy::lru);
  small.set("a");
  small.set("b");
  small.set("c");
  CHECK(small.has("a"));  // must not refresh a
  small.set("d");
  CHECK_FALSE(small.has("a"));

  small.set("b");  // rewritten: now the most recent
  small.set("e");
  CHECK_FALSE(small.has("c"));
  CHECK(small.has("b"));
}

TEST_CASE("LFU evicts the least frequently used entry, never the one being stored") {
  SmallCache small(EvictionPolicy::lfu);
  small.set("a");
  small.set("b");
  small.set("c");
  small.hit("a", 2);
  small.hit("b", 1);
  small.set("d");  // c has no hits
  CHECK_FALSE(small.has("c"));
  CHECK(small.has("a"));
  CHECK(small.has("b"));
  CHECK(small.has("d"));

  // d has no hits either, but the entry being stored is never its own victim.
  small.set("e");
  CHECK_FALSE(small.has("d"));
  CHECK(small.has("e"));
  CHECK(small.has("a"));
  CHECK(small.has("b"));
}

TEST_CASE("LFU breaks frequency ties by least recent use") {
  SUBCASE("among entries never read, the oldest store goes first") {
    SmallCache small(EvictionPolicy::lfu);
    small.set("a");
    small.set("b");
    small.set("c");
    small.set("d");
    CHECK_FALSE(small.has("a"));
    CHECK(small.has("b"));
  }
  SUBCASE("among entries read equally often, the least recently read goes first") {
    SmallCache small(EvictionPolicy::lfu);
    small.set("a");
    small.set("b");
    small.set("c");
    small.hit("c");
    small.hit("a");
    small.hit("b");  // all at 1 hit; c was read longest ago
    small.set("d");  // d (0 hits) is being stored, so the victim comes from the 1-hit tier
    CHECK_FALSE(small.has("c"));
    CHECK(small.has("a"));
    CHECK(small.has("b"));
    CHECK(small.has("d"));
  }
}

TEST_CASE("LFU keeps exact counts across many frequencies") {
  SmallCache small(EvictionPolicy::lfu, 5);
  for (const char* name : {"a", "b", "c", "d", "e"}) small.set(name);
  small.hit("a", 5);
  small.hit("b", 4);
  small.hit("c", 3);
  small.hit("d", 2);
  small.hit("e", 1);
  small.set("f");
  CHECK_FALSE(small.has("e"));
  small.hit("f", 10);
  small.set("g");
  CHECK_FALSE(small.has("d"));
  small.set("h");
  CHECK_FALSE(small.has("g"));
  CHECK(small.has("a"));
  CHECK(small.has("b"));
  CHECK(small.has("c"));
  CHECK(small.has("f"));
  CHECK(small.has("h"));
}

TEST_CASE("switching LFU to LRU orders entries by recency, keeping hit counts") {
  SmallCache small(EvictionPolicy::lfu);
  small.set("a");
  small.set("b");
  small.set("c");
  small.hit("a", 5);
  small.hit("b");  // recency now: c (stored), a, b

  small.cache.set_eviction_policy(EvictionPolicy::lru);
  CHECK(small.cache.get_eviction_policy() == EvictionPolicy::lru);
  small.set("d");
  CHECK_FALSE(small.has("c"));
  small.set("e");
  CHECK_FALSE(small.has("a"));  // the most frequent, but not the most recent
  const auto b = small.cache.get(key("b"));
  REQUIRE(b.has_value());
  CHECK(b->hit_count == 2);
}

TEST_CASE("switching LRU to LFU orders entries by the hits they already have") {
  SmallCache small(EvictionPolicy::lru);
  small.set("a");
  small.set("b");
  small.set("c");
  small.hit("a", 3);
  small.hit("c", 2);
  small.hit("b", 1);  // LRU would evict a next; LFU must evict b

  small.cache.set_eviction_policy(EvictionPolicy::lfu);
  CHECK(small.cache.get_eviction_policy() == EvictionPolicy::lfu);
  small.set("d");
  CHECK_FALSE(small.has("b"));
  CHECK(small.has("a"));
  CHECK(small.has("c"));

  // Ties after a switch still go to the least recently used.
  small.hit("d", 2);  // d and c both at 2 hits; c was read longer ago
  small.set("e");     // e itself is spared, so the 2-hit tier pays
  CHECK_FALSE(small.has("c"));
  CHECK(small.has("d"));
  CHECK(small.has("a"));
}

TEST_CASE("switching to the current policy changes nothing") {
  SmallCache small(EvictionPolicy::lru);
  small.set("a");
  small.set("b");
  small.set("c");
  small.hit("a");
  small.cache.set_eviction_policy(EvictionPolicy::lru);
  small.set("d");
  CHECK_FALSE(small.has("b"));
  CHECK(small.has("a"));
}

TEST_CASE("max_size bounds the number of entries") {
  SUBCASE("a single shard keeps exactly the most recent entries") {
    SmallCache small(EvictionPolicy::lru, 100);
    for (int i = 0; i < 1000; ++i) small.set("k" + std::to_string(i));
    CHECK(small.cache.get_stats().total_entries == 100);
    for (int i = 900; i < 1000; ++i) CHECK(small.has("k" + std::to_string(i)));
    CHECK_FALSE(small.has("k899"));
  }
  SUBCASE("several shards together never exceed the bound") {
    for (const EvictionPolicy policy : {EvictionPolicy::lru, EvictionPolicy::lfu}) {
      SmallCache large(policy, 4096);
      for (int i = 0; i < 20000; ++i) {
        large.set("k" + std::to_string(i));
        if (i % 3 == 0) large.hit("k" + std::to_string(i));
      }
      const CacheStats stats = large.cache.get_stats();
      // Each shard holds its share of the bound and is full long before 20000 keys.
      CHECK(stats.total_entries == 4096);
      CHECK(large.has("k19999"));
    }
  }
}
