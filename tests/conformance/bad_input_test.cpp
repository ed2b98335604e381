#include <doctest/doctest.h>

#include <chrono>

#include "fixtures.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheItem;
using portico::cache::CacheKey;
using portico::cache::Value;

TEST_CASE_TEMPLATE("bad keys, namespaces, tags and ttls are invalid_argument", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "keep", .ns = "n", .tags = {"t"}}, Value(1));

  CHECK_THROWS_AS(f.cache->set(CacheKey{}, Value(1)), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->set(CacheKey{.key = "k", .ns = ""}, Value(1)), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->set(CacheKey{.key = "k", .tags = {""}}, Value(1)),
                  std::invalid_argument);
  CHECK_THROWS_AS(f.cache->set(CacheKey{.key = "k"}, Value(1), 0s), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->set(CacheKey{.key = "k"}, Value(1), -5s), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->get(CacheKey{}), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->get(CacheKey{.key = "keep", .ns = ""}), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->exists(CacheKey{}), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->erase(CacheKey{}), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->erase_by_namespace(""), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->erase_by_tags({"t", ""}), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->get_many({CacheKey{.key = "keep"}, CacheKey{}}), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->erase_many({CacheKey{.key = "keep", .ns = "n"}, CacheKey{}}),
                  std::invalid_argument);

  // Nothing above changed anything, and no failed read counted as a miss.
  CHECK(f.cache->exists(CacheKey{.key = "keep", .ns = "n"}));
  const auto stats = f.cache->get_stats();
  CHECK(stats.total_entries == 1);
  CHECK(stats.total_misses == 0);
  CHECK(stats.total_hits == 0);
}

TEST_CASE_TEMPLATE("a batch with one bad item changes nothing", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  std::vector<CacheItem> items;
  for (int i = 0; i < 10; ++i) {
    items.push_back(CacheItem{.key = CacheKey{.key = std::to_string(i)}, .value = Value(i)});
  }
  items.push_back(CacheItem{.key = CacheKey{.key = "bad"}, .value = Value(1), .ttl = 0s});
  CHECK_THROWS_AS(f.cache->set_many(items), std::invalid_argument);
  items.back() = CacheItem{.key = CacheKey{.key = ""}, .value = Value(1)};
  CHECK_THROWS_AS(f.cache->set_many(items), std::invalid_argument);
  CHECK(f.cache->get_stats().total_entries == 0);
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "0"}));
}

TEST_CASE_TEMPLATE("errors are rooted at CacheError or are invalid_argument", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k"}, Value("text"));
  CHECK_THROWS_AS(f.cache->get(CacheKey{.key = "k"})->template as<int>(),
                  portico::cache::CacheError);
  CHECK_THROWS_AS(f.cache->erase_by_pattern("["), std::invalid_argument);
}
