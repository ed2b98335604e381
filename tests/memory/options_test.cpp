// Options the constructor and set_eviction_policy refuse.
#include <doctest/doctest.h>

#include <stdexcept>

#include <portico/cache/memory_adapter.hpp>

#include "helpers.hpp"

using namespace portico::cache;
using portico::cache::testing::key;

TEST_CASE("defaults give an unbounded LRU cache without compression") {
  MemoryCacheAdapter cache;
  CHECK(cache.get_eviction_policy() == EvictionPolicy::lru);
  for (int i = 0; i < 5000; ++i) cache.set(key("k" + std::to_string(i)), i);
  CHECK(cache.get_stats().total_entries == 5000);
  CHECK(cache.get_compression_stats().compressions == 0);
}

TEST_CASE("zero bounds are rejected") {
  CHECK_THROWS_AS(MemoryCacheAdapter(MemoryOptions{.max_size = 0}), std::invalid_argument);
  CHECK_THROWS_AS(MemoryCacheAdapter(MemoryOptions{.max_memory_bytes = 0}),
                  std::invalid_argument);
  CHECK_NOTHROW(MemoryCacheAdapter(MemoryOptions{.max_size = 1}));
}

TEST_CASE("a max_size of one keeps only the latest entry") {
  MemoryCacheAdapter cache(MemoryOptions{.max_size = 1});
  cache.set(key("a"), 1);
  cache.set(key("b"), 2);
  CHECK_FALSE(cache.exists(key("a")));
  CHECK(cache.exists(key("b")));
}

TEST_CASE("the lrs policy belongs to the RocksDB adapter") {
  CHECK_THROWS_AS(MemoryCacheAdapter(MemoryOptions{.eviction_policy = EvictionPolicy::lrs}),
                  std::invalid_argument);
  MemoryCacheAdapter cache(MemoryOptions{.eviction_policy = EvictionPolicy::lfu});
  CHECK_THROWS_AS(cache.set_eviction_policy(EvictionPolicy::lrs), std::invalid_argument);
  CHECK(cache.get_eviction_policy() == EvictionPolicy::lfu);
  CHECK_THROWS_AS(cache.set_eviction_policy(static_cast<EvictionPolicy>(42)),
                  std::invalid_argument);
}

TEST_CASE("a null clock is rejected") {
  CHECK_THROWS_AS(MemoryCacheAdapter(MemoryOptions{.clock = nullptr}), std::invalid_argument);
}
