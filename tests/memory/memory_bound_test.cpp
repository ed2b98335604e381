// memory_usage_bytes (the measured footprint) and the max_memory_bytes bound.
#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <portico/cache/memory_adapter.hpp>

#include "helpers.hpp"

using namespace portico::cache;
using portico::cache::testing::compressible_text;
using portico::cache::testing::key;
using portico::cache::testing::memory_usage;
using portico::cache::testing::random_bytes;

namespace {

constexpr std::size_t kib = 1024;

}  // namespace

TEST_CASE("memory_usage_bytes grows with data and returns to the empty footprint on clear") {
  MemoryCacheAdapter cache;
  const std::uint64_t empty = memory_usage(cache);
  CHECK(empty > 0);  // the adapter and its shards themselves

  for (int i = 0; i < 100; ++i) cache.set(key("k" + std::to_string(i)), random_bytes(1000, i));
  const std::uint64_t full = memory_usage(cache);
  // At least the values themselves; at most a modest per-entry overhead on top.
  CHECK(full - empty >= 100 * 1000);
  CHECK(full - empty <= 100 * 2000);

  for (int i = 0; i < 50; ++i) REQUIRE(cache.erase(key("k" + std::to_string(i))));
  const std::uint64_t half = memory_usage(cache);
  CHECK(half < full);
  CHECK(full - half >= 50 * 1000);

  cache.clear();
  CHECK(memory_usage(cache) == empty);
}

TEST_CASE("memory_usage_bytes counts keys, namespaces and tags, not only values") {
  MemoryCacheAdapter cache;
  const std::uint64_t empty = memory_usage(cache);
  const std::string long_name(500, 'n');
  cache.set(CacheKey{.key = long_name, .ns = long_name, .tags = {long_name + "1", long_name + "2"}},
            Value(1));
  const std::uint64_t stored = memory_usage(cache);
  // The key, the namespace and both tags, each stored in the entry and (namespace, tags) once
  // more as index keys.
  CHECK(stored - empty >= 6 * 500);
  CHECK(cache.erase_by_tags({long_name + "1"}) == 1);
  // Everything but the hash bucket arrays, which stay allocated for the next entries.
  CHECK(memory_usage(cache) <= stored - 6 * 500);
  CHECK(memory_usage(cache) < empty + 1024);
}

namespace {

void fill_one_shard(EvictionPolicy policy) {
  const std::size_t bound = 256 * kib;
  MemoryCacheAdapter cache(MemoryOptions{.max_memory_bytes = bound, .eviction_policy = policy});
  for (int i = 0; i < 3000; ++i) {
    const CacheKey id{.key = "k" + std::to_string(i), .ns = "ns" + std::to_string(i % 7)};
    CacheKey tagged = id;
    tagged.tags = {"t" + std::to_string(i % 11)};
    cache.set(tagged, random_bytes(static_cast<std::size_t>(100 + (i * 37) % 900), i));
    // Reads matter too: under LFU a hit may need a new frequency bucket.
    for (int j = 0; j < i % 4; ++j) (void)cache.get(id);
    REQUIRE(memory_usage(cache) <= bound);
  }
  CHECK(cache.get_stats().total_entries > 100);
  CHECK(cache.exists(CacheKey{.key = "k2999", .ns = "ns" + std::to_string(2999 % 7)}));
}

void fill_several_shards(EvictionPolicy policy) {
  const std::size_t bound = 8 * kib * kib;
  MemoryCacheAdapter cache(MemoryOptions{.max_memory_bytes = bound, .eviction_policy = policy});
  for (int i = 0; i < 20000; ++i) {
    cache.set(key("k" + std::to_string(i)), random_bytes(600, i));
    if (i % 1000 == 0) REQUIRE(memory_usage(cache) <= bound);
  }
  CHECK(memory_usage(cache) <= bound);
  // 20000 entries of 600 bytes cannot fit in 8 MiB, but most of the budget is in use.
  CHECK(memory_usage(cache) > bound / 2);
  CHECK(cache.get_stats().total_entries < 20000);
}

}  // namespace

TEST_CASE("memory_usage_bytes stays within max_memory_bytes: one shard, LRU") {
  fill_one_shard(EvictionPolicy::lru);
}

TEST_CASE("memory_usage_bytes stays within max_memory_bytes: one shard, LFU") {
  fill_one_shard(EvictionPolicy::lfu);
}

TEST_CASE("memory_usage_bytes stays within max_memory_bytes: several shards, LRU") {
  fill_several_shards(EvictionPolicy::lru);
}

TEST_CASE("memory_usage_bytes stays within max_memory_bytes: several shards, LFU") {
  fill_several_shards(EvictionPolicy::lfu);
}

TEST_CASE("switching policy keeps memory_usage_bytes within the bound") {
  const std::size_t bound = 64 * kib;
  MemoryCacheAdapter cache(MemoryOptions{.max_memory_bytes = bound});
  for (int i = 0; i < 1000; ++i) {
    cache.set(key("k" + std::to_string(i)), random_bytes(200, i));
    // Many distinct hit counts: LFU needs a bucket for each.
    for (int j = 0; j < i % 50; ++j) (void)cache.get(key("k" + std::to_string(i)));
  }
  cache.set_eviction_policy(EvictionPolicy::lfu);
  CHECK(memory_usage(cache) <= bound);
  cache.set_eviction_policy(EvictionPolicy::lru);
  CHECK(memory_usage(cache) <= bound);
}

TEST_CASE("an entry too large for the budget is not stored and evicts nothing") {
  const std::size_t bound = 64 * kib;
  MemoryCacheAdapter cache(MemoryOptions{.max_memory_bytes = bound});
  for (int i = 0; i < 10; ++i) cache.set(key("small" + std::to_string(i)), random_bytes(100, i));

  cache.set(key("huge"), random_bytes(100 * kib));
  CHECK_FALSE(cache.exists(key("huge")));
  CHECK_FALSE(cache.get(key("huge")).has_value());
  for (int i = 0; i < 10; ++i) CHECK(cache.exists(key("small" + std::to_string(i))));
  CHECK(cache.get_stats().total_entries == 10);
  CHECK(memory_usage(cache) <= bound);

  SUBCASE("overwriting with a value too large removes the old value") {
    cache.set(key("small0"), random_bytes(100 * kib));
    CHECK_FALSE(cache.exists(key("small0")));
    CHECK(cache.get_stats().total_entries == 9);
  }
}

TEST_CASE("an entry that fits only alone evicts everything else") {
  const std::size_t bound = 64 * kib;
  MemoryCacheAdapter cache(MemoryOptions{.max_memory_bytes = bound});
  for (int i = 0; i < 100; ++i) cache.set(key("small" + std::to_string(i)), random_bytes(300, i));
  const std::uint64_t before = cache.get_stats().total_entries;
  REQUIRE(before > 10);

  cache.set(key("large"), random_bytes(50 * kib));
  CHECK(cache.exists(key("large")));
  CHECK(cache.get_stats().total_entries < before);
  CHECK(memory_usage(cache) <= bound);
  const auto large = cache.get(key("large"));
  REQUIRE(large.has_value());
  CHECK(large->as<std::string>() == random_bytes(50 * kib));
}

TEST_CASE("compression lets a large compressible value fit a small budget") {
  const std::size_t bound = 64 * kib;
  MemoryCacheAdapter cache(MemoryOptions{.max_memory_bytes = bound, .enable_compression = true});
  const std::string text = compressible_text(200 * kib);
  cache.set(key("text"), text);
  const auto entry = cache.get(key("text"));
  REQUIRE(entry.has_value());
  CHECK(entry->as<std::string>() == text);
  CHECK(memory_usage(cache) <= bound);
}

TEST_CASE("a budget below the footprint of an empty cache is rejected") {
  CHECK_THROWS_AS(MemoryCacheAdapter(MemoryOptions{.max_memory_bytes = 100}),
                  std::invalid_argument);
  // A cache this small has one shard; measure what one empty shard and the adapter take.
  MemoryCacheAdapter reference(MemoryOptions{.max_size = 1});
  const std::uint64_t empty = memory_usage(reference);
  CHECK_THROWS_AS(MemoryCacheAdapter(MemoryOptions{.max_memory_bytes = empty - 1}),
                  std::invalid_argument);

  MemoryCacheAdapter tight(MemoryOptions{.max_memory_bytes = empty});
  CHECK(memory_usage(tight) == empty);
  tight.set(key("k"), 1);  // no room for any entry: it is dropped
  CHECK_FALSE(tight.exists(key("k")));
  CHECK(memory_usage(tight) == empty);
}
