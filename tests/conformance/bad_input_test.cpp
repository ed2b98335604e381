#include <doctest/doctest.h>

#include <chrono>
#include <string>
#include <utility>

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

TEST_CASE_TEMPLATE("a Value left behind by a move is stored as nil", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  Value moved_from(std::string(200, 'v'));
  const Value taken = std::move(moved_from);
  f.cache->set(CacheKey{.key = "constructed"}, moved_from);  // NOLINT(bugprone-use-after-move)
  Value assigned_from(7);
  Value target;
  target = std::move(assigned_from);
  f.cache->set(CacheKey{.key = "assigned"}, std::move(assigned_from));  // NOLINT
  Value bytes_taken(std::string(200, 'b'));
  const std::string bytes = std::move(bytes_taken).msgpack();
  f.cache->set_many({CacheItem{.key = CacheKey{.key = "bytes"}, .value = bytes_taken}});  // NOLINT

  for (const char* name : {"constructed", "assigned", "bytes"}) {
    INFO(name);
    const auto entry = f.cache->get(CacheKey{.key = name});
    REQUIRE(entry.has_value());
    CHECK(entry->value.is_nil());
  }
  CHECK(taken.as<std::string>() == std::string(200, 'v'));
  CHECK(target.as<int>() == 7);
  CHECK(Value::from_msgpack(bytes).as<std::string>() == std::string(200, 'b'));
}
