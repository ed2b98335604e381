#include <doctest/doctest.h>

#include <chrono>
#include <vector>

#include "fixtures.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheItem;
using portico::cache::CacheKey;
using portico::cache::Value;

TEST_CASE_TEMPLATE("set_many and get_many keep the order of their keys", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  std::vector<CacheItem> items;
  for (int i = 0; i < 50; ++i) {
    items.push_back(CacheItem{.key = CacheKey{.key = std::to_string(i), .tags = {"batch"}},
                              .value = Value(i),
                              .ttl = i % 2 == 0 ? std::optional<portico::cache::Ttl>(1min)
                                                : std::nullopt});
  }
  f.cache->set_many(items);
  CHECK(f.cache->get_stats().total_entries == 50);

  std::vector<CacheKey> keys{CacheKey{.key = "7"}, CacheKey{.key = "missing"}, CacheKey{.key = "0"},
                             CacheKey{.key = "7"}};
  const auto entries = f.cache->get_many(keys);
  REQUIRE(entries.size() == 4);
  CHECK(entries[0]->template as<int>() == 7);
  CHECK_FALSE(entries[1].has_value());
  CHECK(entries[2]->template as<int>() == 0);
  CHECK(entries[2]->expires_at.has_value());
  CHECK(entries[3]->hit_count == 2);  // the same key twice: two hits
  const auto stats = f.cache->get_stats();
  CHECK(stats.total_hits == 3);
  CHECK(stats.total_misses == 1);

  f.clock->advance(2min);
  const auto after = f.cache->get_many({CacheKey{.key = "0"}, CacheKey{.key = "1"}});
  CHECK_FALSE(after[0].has_value());
  CHECK(after[1].has_value());
  CHECK(f.cache->erase_by_tags({"batch"}) == 25);
}

TEST_CASE_TEMPLATE("set_many: a key given twice keeps the last value", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set_many({CacheItem{.key = CacheKey{.key = "k", .tags = {"first"}}, .value = Value(1)},
                     CacheItem{.key = CacheKey{.key = "k", .tags = {"second"}}, .value = Value(2)}});
  CHECK(f.cache->get(CacheKey{.key = "k"})->template as<int>() == 2);
  CHECK(f.cache->get_stats().total_entries == 1);
  CHECK(f.cache->erase_by_tags({"first"}) == 0);
  CHECK(f.cache->erase_by_tags({"second"}) == 1);
}

TEST_CASE_TEMPLATE("erase_many counts the entries it removed", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  for (int i = 0; i < 10; ++i) f.cache->set(CacheKey{.key = std::to_string(i)}, Value(i));
  CHECK(f.cache->erase_many({CacheKey{.key = "1"}, CacheKey{.key = "2"}, CacheKey{.key = "x"},
                             CacheKey{.key = "2"}}) == 2);
  CHECK(f.cache->get_stats().total_entries == 8);
  CHECK(f.cache->erase_many({}) == 0);
  CHECK(f.cache->get_many({}).empty());
  f.cache->set_many({});
  CHECK(f.cache->get_stats().total_entries == 8);
}
