#include <doctest/doctest.h>

#include <string>

#include "fixtures.hpp"

using portico::cache::CacheKey;
using portico::cache::Value;

namespace {
template <class F>
void fill_users(F& f) {
  for (int i = 0; i < 12; ++i) {
    f.cache->set(CacheKey{.key = "user:" + std::to_string(i)}, Value(i));
  }
  f.cache->set(CacheKey{.key = "42", .ns = "user"}, Value(42));     // full_key "user:42"
  f.cache->set(CacheKey{.key = "1", .ns = "session"}, Value(1));    // "session:1"
  f.cache->set(CacheKey{.key = "user*star"}, Value(0));
  f.cache->set(CacheKey{.key = "users"}, Value(0));
}
}  // namespace

TEST_CASE_TEMPLATE("erase_by_pattern matches the glob against whole full_keys", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  fill_users(f);
  CHECK(f.cache->erase_by_pattern("user:1?") == 2);  // user:10, user:11
  CHECK(f.cache->exists(CacheKey{.key = "user:1"}));
  CHECK(f.cache->erase_by_pattern("user:[0-2]") == 3);
  CHECK(f.cache->erase_by_pattern("user:[^3]") == 6);  // 4..9
  CHECK(f.cache->erase_by_pattern("user\\*star") == 1);
  CHECK(f.cache->exists(CacheKey{.key = "user:3"}));
  CHECK(f.cache->erase_by_pattern("user:*") == 2);  // user:3 and the namespaced user:42
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "42", .ns = "user"}));
  CHECK(f.cache->exists(CacheKey{.key = "users"}));
  CHECK(f.cache->exists(CacheKey{.key = "1", .ns = "session"}));
  CHECK(f.cache->erase_by_pattern("nothing*") == 0);
  CHECK(f.cache->erase_by_pattern("*") == 2);
  CHECK(f.cache->get_stats().total_entries == 0);
}

TEST_CASE_TEMPLATE("erase_by_regex is a full match in RE2 syntax", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  fill_users(f);
  CHECK(f.cache->erase_by_regex("user:1[01]") == 2);
  CHECK(f.cache->erase_by_regex("user") == 0);  // full match, not search
  CHECK(f.cache->erase_by_regex("(?i)SESSION:\\d+") == 1);
  CHECK(f.cache->erase_by_regex("user:\\d+") == 11);
  CHECK(f.cache->exists(CacheKey{.key = "users"}));
  CHECK(f.cache->get_stats().total_entries == 2);
}

TEST_CASE_TEMPLATE("malformed patterns change nothing", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  fill_users(f);
  const auto before = f.cache->get_stats().total_entries;
  CHECK_THROWS_AS(f.cache->erase_by_pattern("user:["), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->erase_by_pattern("user:\\"), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->erase_by_regex("user:("), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->erase_by_regex("(a)\\1"), std::invalid_argument);
  CHECK_THROWS_AS(f.cache->erase_by_regex("((((a{100}){100}){100}){100})"), std::invalid_argument);
  CHECK(f.cache->get_stats().total_entries == before);
}
