#include <doctest/doctest.h>

#include <chrono>

#include "fixtures.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheKey;
using portico::cache::Value;

TEST_CASE_TEMPLATE("an entry is visible up to its expiry and invisible after", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  const CacheKey key{.key = "k"};
  f.cache->set(key, Value(1), 10s);
  f.clock->advance(10s);  // now == expires_at: not yet expired (expired means now > expires_at)
  CHECK(f.cache->exists(key));
  CHECK(f.cache->get(key).has_value());
  f.clock->advance(1us);
  CHECK_FALSE(f.cache->exists(key));
  CHECK_FALSE(f.cache->get(key).has_value());
  CHECK_FALSE(f.cache->get_many({key})[0].has_value());
}

TEST_CASE_TEMPLATE("sub-second and microsecond ttls are honoured", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "ms"}, Value(1), 1500ms);
  f.cache->set(CacheKey{.key = "us"}, Value(1), 1us);
  f.clock->advance(2us);
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "us"}));
  CHECK(f.cache->exists(CacheKey{.key = "ms"}));
  f.clock->advance(1500ms);
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "ms"}));
  CHECK(f.cache->get(CacheKey{.key = "ms"}) == std::nullopt);
}

TEST_CASE_TEMPLATE("a get of an expired entry is a miss", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k"}, Value(1), 1s);
  f.clock->advance(2s);
  CHECK_FALSE(f.cache->get(CacheKey{.key = "k"}).has_value());
  const auto stats = f.cache->get_stats();
  CHECK(stats.total_hits == 0);
  CHECK(stats.total_misses == 1);
}

TEST_CASE_TEMPLATE("cleanup_expired removes exactly the expired entries", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  for (int i = 0; i < 30; ++i) {
    f.cache->set(CacheKey{.key = "short" + std::to_string(i), .ns = "n", .tags = {"t"}}, Value(i),
                 1min);
    f.cache->set(CacheKey{.key = "long" + std::to_string(i), .tags = {"t"}}, Value(i), 1h);
    f.cache->set(CacheKey{.key = "forever" + std::to_string(i)}, Value(i));
  }
  CHECK(f.cache->get_stats().total_entries == 90);
  CHECK(f.cache->cleanup_expired() == 0);
  f.clock->advance(2min);
  CHECK(f.cache->cleanup_expired() == 30);
  CHECK(f.cache->get_stats().total_entries == 60);
  CHECK(f.cache->cleanup_expired() == 0);
  CHECK(f.cache->erase_by_namespace("n") == 0);
  CHECK(f.cache->erase_by_tags({"t"}) == 30);
  f.clock->advance(2h);
  CHECK(f.cache->cleanup_expired() == 0);
  CHECK(f.cache->get_stats().total_entries == 30);
}

TEST_CASE_TEMPLATE("re-setting an entry moves its expiry", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  const CacheKey key{.key = "k"};
  f.cache->set(key, Value(1), 1min);
  f.cache->set(key, Value(2), 1h);
  f.clock->advance(2min);
  CHECK(f.cache->cleanup_expired() == 0);
  CHECK(f.cache->get(key)->template as<int>() == 2);
  f.cache->set(key, Value(3));  // no ttl: never expires
  f.clock->advance(2h);
  CHECK(f.cache->cleanup_expired() == 0);
  CHECK(f.cache->exists(key));
}

TEST_CASE_TEMPLATE("erase of an expired entry removes it but returns false", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k"}, Value(1), 1s);
  f.clock->advance(2s);
  CHECK_FALSE(f.cache->erase(CacheKey{.key = "k"}));
  CHECK(f.cache->get_stats().total_entries == 0);
  CHECK(f.cache->cleanup_expired() == 0);
}

TEST_CASE_TEMPLATE("erase_by_* remove expired matches but count only unexpired ones", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  for (const char* ns : {"a", "b", "c", "d", "e"}) {
    f.cache->set(CacheKey{.key = "old", .ns = ns, .tags = {"t"}}, Value(1), 1s);
    f.cache->set(CacheKey{.key = "new", .ns = ns, .tags = {"t"}}, Value(1), 1h);
  }
  f.clock->advance(2s);
  CHECK(f.cache->erase_by_tags({"t"}) == 5);
  CHECK(f.cache->get_stats().total_entries == 0);
  CHECK(f.cache->cleanup_expired() == 0);

  f.cache->set(CacheKey{.key = "old", .ns = "a"}, Value(1), 1s);
  f.cache->set(CacheKey{.key = "new", .ns = "a"}, Value(1));
  f.cache->set(CacheKey{.key = "old", .ns = "b"}, Value(1), 1s);
  f.cache->set(CacheKey{.key = "new", .ns = "b"}, Value(1));
  f.cache->set(CacheKey{.key = "old", .ns = "c"}, Value(1), 1s);
  f.cache->set(CacheKey{.key = "new", .ns = "c"}, Value(1));
  f.clock->advance(2s);
  CHECK(f.cache->erase_by_namespace("a") == 1);
  CHECK(f.cache->erase_by_pattern("b:*") == 1);
  CHECK(f.cache->erase_by_regex("c:.*") == 1);
  CHECK(f.cache->erase_many({CacheKey{.key = "old", .ns = "a"}}) == 0);
  CHECK(f.cache->get_stats().total_entries == 0);
  CHECK(f.cache->cleanup_expired() == 0);
}

TEST_CASE_TEMPLATE("a ttl beyond the representable time range never expires", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k"}, Value(1), portico::cache::Ttl::max());
  f.cache->set(CacheKey{.key = "millennium"}, Value(1), std::chrono::hours(24 * 365 * 1000));
  f.clock->advance(std::chrono::hours(24 * 365 * 100));
  CHECK(f.cache->exists(CacheKey{.key = "k"}));
  CHECK(f.cache->exists(CacheKey{.key = "millennium"}));
  CHECK(f.cache->cleanup_expired() == 0);
  const auto entry = f.cache->get(CacheKey{.key = "k"});
  REQUIRE(entry);
  REQUIRE(entry->expires_at.has_value());
  CHECK(*entry->expires_at > f.clock->now());
}
