#include <doctest/doctest.h>

#include "fixtures.hpp"

using portico::cache::CacheKey;
using portico::cache::Value;

TEST_CASE_TEMPLATE("equal full_keys in different namespaces are distinct entries", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  const CacheKey a{.key = "c", .ns = "a:b"};
  const CacheKey b{.key = "b:c", .ns = "a"};
  const CacheKey c{.key = "a:b:c"};
  f.cache->set(a, Value("a"));
  f.cache->set(b, Value("b"));
  f.cache->set(c, Value("c"));
  CHECK(f.cache->get_stats().total_entries == 3);
  CHECK(f.cache->get(a)->template as<std::string>() == "a");
  CHECK(f.cache->get(b)->template as<std::string>() == "b");
  CHECK(f.cache->get(c)->template as<std::string>() == "c");
  CHECK(f.cache->get(a)->key.ns == "a:b");
  CHECK(f.cache->get(b)->key.key == "b:c");

  CHECK(f.cache->erase(b));
  CHECK(f.cache->exists(a));
  CHECK(f.cache->exists(c));
  CHECK(f.cache->erase_by_namespace("a:b") == 1);
  CHECK(f.cache->exists(c));
  CHECK_FALSE(f.cache->exists(a));
}

TEST_CASE_TEMPLATE("erase_by_namespace matches the namespace exactly", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "1", .ns = "app"}, Value(1));
  f.cache->set(CacheKey{.key = "2", .ns = "app"}, Value(2));
  f.cache->set(CacheKey{.key = "1", .ns = "app:sub"}, Value(3));
  f.cache->set(CacheKey{.key = "app:1"}, Value(4));
  f.cache->set(CacheKey{.key = "1", .ns = "ap"}, Value(5));
  CHECK(f.cache->erase_by_namespace("app") == 2);
  CHECK(f.cache->exists(CacheKey{.key = "1", .ns = "app:sub"}));
  CHECK(f.cache->exists(CacheKey{.key = "app:1"}));
  CHECK(f.cache->exists(CacheKey{.key = "1", .ns = "ap"}));
  CHECK(f.cache->get_stats().total_entries == 3);
}

TEST_CASE_TEMPLATE("tags are not part of identity", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k", .tags = {"t"}}, Value(1));
  CHECK(f.cache->get(CacheKey{.key = "k"}).has_value());
  CHECK(f.cache->get(CacheKey{.key = "k", .tags = {"other"}}).has_value());
  CHECK(f.cache->exists(CacheKey{.key = "k", .tags = {"x", "y"}}));
  CHECK(f.cache->get(CacheKey{.key = "k"})->key.tags == std::vector<std::string>{"t"});
  CHECK(f.cache->erase(CacheKey{.key = "k", .tags = {"unrelated"}}));
}

TEST_CASE_TEMPLATE("duplicate tags are stored once", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k", .tags = {"a", "b", "a"}}, Value(1));
  CHECK(f.cache->get(CacheKey{.key = "k"})->key.tags == std::vector<std::string>{"a", "b"});
  CHECK(f.cache->erase_by_tags({"a", "a"}) == 1);
}

TEST_CASE_TEMPLATE("erase_by_tags removes entries with ANY of the tags, each once", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "xy", .tags = {"x", "y"}}, Value(1));
  f.cache->set(CacheKey{.key = "x", .tags = {"x"}}, Value(2));
  f.cache->set(CacheKey{.key = "y", .ns = "n", .tags = {"y"}}, Value(3));
  f.cache->set(CacheKey{.key = "z", .tags = {"z"}}, Value(4));
  f.cache->set(CacheKey{.key = "none"}, Value(5));
  CHECK(f.cache->erase_by_tags({"x", "y"}) == 3);
  CHECK(f.cache->exists(CacheKey{.key = "z"}));
  CHECK(f.cache->exists(CacheKey{.key = "none"}));
  CHECK(f.cache->get_stats().total_entries == 2);
  CHECK(f.cache->erase_by_tags({}) == 0);
  CHECK(f.cache->erase_by_tags({"missing"}) == 0);
}

TEST_CASE_TEMPLATE("keys may hold any bytes", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  const CacheKey binary{.key = std::string("a\0b\xff", 4), .ns = std::string("n\0s", 3)};
  f.cache->set(binary, Value(1));
  f.cache->set(CacheKey{.key = std::string("a\0b\xff", 4)}, Value(2));
  CHECK(f.cache->get(binary)->template as<int>() == 1);
  CHECK(f.cache->get(CacheKey{.key = std::string("a\0b\xff", 4)})->template as<int>() == 2);
  CHECK(f.cache->erase_by_namespace(std::string("n\0s", 3)) == 1);
  CHECK(f.cache->get_stats().total_entries == 1);
}
