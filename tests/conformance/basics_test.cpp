#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "fixtures.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheKey;
using portico::cache::Value;

namespace {
struct Profile {
  std::string name;
  std::vector<int> scores;
  bool operator==(const Profile&) const = default;
  MSGPACK_DEFINE_MAP(name, scores)
};
}  // namespace

TEST_CASE_TEMPLATE("set then get returns the value and the entry's metadata", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  const auto t0 = f.clock->now();
  f.cache->set(CacheKey{.key = "k", .ns = "app", .tags = {"t1", "t2"}}, Value("v"), 10min);
  f.clock->advance(1s);
  const auto entry = f.cache->get(CacheKey{.key = "k", .ns = "app"});
  REQUIRE(entry.has_value());
  CHECK(entry->template as<std::string>() == "v");
  CHECK(entry->key.key == "k");
  CHECK(entry->key.ns == "app");
  CHECK(entry->key.tags == std::vector<std::string>{"t1", "t2"});
  CHECK(entry->created_at == t0);
  REQUIRE(entry->expires_at.has_value());
  CHECK(*entry->expires_at == t0 + 10min);
  CHECK(entry->hit_count == 1);
  CHECK(entry->last_accessed == t0 + 1s);
}

TEST_CASE_TEMPLATE("every get is a hit that touches the entry", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k"}, Value(1));
  for (std::uint64_t i = 1; i <= 5; ++i) {
    f.clock->advance(1s);
    const auto entry = f.cache->get(CacheKey{.key = "k"});
    REQUIRE(entry);
    CHECK(entry->hit_count == i);
    CHECK(entry->last_accessed == f.clock->now());
    CHECK_FALSE(entry->expires_at.has_value());
  }
}

TEST_CASE_TEMPLATE("values of every kind round-trip through the adapter", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  const Profile profile{.name = "ada", .scores = {1, 2, 3}};
  f.cache->set(CacheKey{.key = "struct"}, profile);
  f.cache->set(CacheKey{.key = "map"}, std::map<std::string, double>{{"pi", 3.14}});
  f.cache->set(CacheKey{.key = "nil"}, Value());
  f.cache->set(CacheKey{.key = "bytes"}, std::string("a\0b", 3));
  CHECK(f.cache->get(CacheKey{.key = "struct"})->template as<Profile>() == profile);
  CHECK(f.cache->get(CacheKey{.key = "map"})->template as<std::map<std::string, double>>().at("pi") ==
        3.14);
  CHECK(f.cache->get(CacheKey{.key = "nil"})->value.is_nil());
  CHECK(f.cache->get(CacheKey{.key = "bytes"})->template as<std::string>() == std::string("a\0b", 3));
  CHECK_THROWS_AS(f.cache->get(CacheKey{.key = "struct"})->template as<int>(),
                  portico::cache::TypeError);
}

TEST_CASE_TEMPLATE("set overwrites; the old tags and namespace no longer find the entry", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  const CacheKey old_key{.key = "k", .ns = "n", .tags = {"old", "both"}};
  f.cache->set(old_key, Value(1), 1min);
  CHECK(f.cache->get(old_key)->hit_count == 1);
  f.clock->advance(1s);
  f.cache->set(CacheKey{.key = "k", .ns = "n", .tags = {"new", "both"}}, Value(2));

  const auto entry = f.cache->get(CacheKey{.key = "k", .ns = "n"});
  REQUIRE(entry);
  CHECK(entry->template as<int>() == 2);
  CHECK(entry->key.tags == std::vector<std::string>{"new", "both"});
  CHECK_FALSE(entry->expires_at.has_value());  // the new set had no ttl
  CHECK(entry->hit_count == 1);                // a new entry: earlier hits do not carry over
  CHECK(entry->created_at == f.clock->now());

  CHECK(f.cache->erase_by_tags({"old"}) == 0);
  CHECK(f.cache->exists(CacheKey{.key = "k", .ns = "n"}));
  CHECK(f.cache->get_stats().total_entries == 1);
  CHECK(f.cache->erase_by_tags({"new"}) == 1);
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "k", .ns = "n"}));
  CHECK(f.cache->get_stats().total_entries == 0);
}

TEST_CASE_TEMPLATE("an overwrite without tags takes the entry out of its old tags", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k", .ns = "n", .tags = {"t"}}, Value(1));
  f.cache->set(CacheKey{.key = "k", .ns = "n"}, Value(2));  // same identity, no tags now
  CHECK(f.cache->erase_by_tags({"t"}) == 0);
  CHECK(f.cache->erase_by_namespace("n") == 1);
  CHECK(f.cache->get_stats().total_entries == 0);
}

TEST_CASE_TEMPLATE("erase reports whether the entry existed", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k"}, Value(1));
  CHECK(f.cache->erase(CacheKey{.key = "k"}));
  CHECK_FALSE(f.cache->erase(CacheKey{.key = "k"}));
  CHECK_FALSE(f.cache->get(CacheKey{.key = "k"}).has_value());
  CHECK_FALSE(f.cache->erase(CacheKey{.key = "never"}));
}

TEST_CASE_TEMPLATE("clear removes every entry", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  for (int i = 0; i < 20; ++i) {
    f.cache->set(CacheKey{.key = std::to_string(i), .ns = "n", .tags = {"t"}}, Value(i), 1h);
  }
  f.cache->clear();
  CHECK(f.cache->get_stats().total_entries == 0);
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "3", .ns = "n"}));
  CHECK(f.cache->erase_by_tags({"t"}) == 0);
  CHECK(f.cache->erase_by_namespace("n") == 0);
  CHECK(f.cache->cleanup_expired() == 0);
  f.cache->set(CacheKey{.key = "after"}, Value(1));
  CHECK(f.cache->get_stats().total_entries == 1);
}
