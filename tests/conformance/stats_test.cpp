#include <doctest/doctest.h>

#include <chrono>

#include "fixtures.hpp"

using namespace std::chrono_literals;
using portico::cache::CacheKey;
using portico::cache::Value;

TEST_CASE_TEMPLATE("only gets count as hits or misses", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  auto stats = f.cache->get_stats();
  CHECK(stats.total_entries == 0);
  CHECK(stats.hit_rate == 0.0);
  CHECK_FALSE(stats.oldest_entry.has_value());
  CHECK_FALSE(stats.newest_entry.has_value());

  f.cache->set(CacheKey{.key = "a"}, Value(1));
  f.cache->exists(CacheKey{.key = "a"});
  f.cache->exists(CacheKey{.key = "missing"});
  f.cache->erase(CacheKey{.key = "missing"});
  stats = f.cache->get_stats();
  CHECK(stats.total_hits == 0);
  CHECK(stats.total_misses == 0);

  f.cache->get(CacheKey{.key = "a"});
  f.cache->get(CacheKey{.key = "a"});
  f.cache->get(CacheKey{.key = "a"});
  f.cache->get(CacheKey{.key = "missing"});
  stats = f.cache->get_stats();
  CHECK(stats.total_hits == 3);
  CHECK(stats.total_misses == 1);
  CHECK(stats.hit_rate == doctest::Approx(0.75));
}

TEST_CASE_TEMPLATE("oldest and newest entry follow created_at", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  const auto t0 = f.clock->now();
  f.cache->set(CacheKey{.key = "first"}, Value(1));
  f.clock->advance(1min);
  f.cache->set(CacheKey{.key = "second"}, Value(2));
  f.clock->advance(1min);
  f.cache->set(CacheKey{.key = "third"}, Value(3));
  auto stats = f.cache->get_stats();
  CHECK(stats.total_entries == 3);
  CHECK(stats.oldest_entry == t0);
  CHECK(stats.newest_entry == t0 + 2min);

  f.cache->erase(CacheKey{.key = "first"});
  f.cache->erase(CacheKey{.key = "third"});
  stats = f.cache->get_stats();
  CHECK(stats.oldest_entry == t0 + 1min);
  CHECK(stats.newest_entry == t0 + 1min);
}

TEST_CASE_TEMPLATE("memory usage is reported", F, PORTICO_ADAPTER_FIXTURES) {
  F f;
  for (int i = 0; i < 100; ++i) {
    f.cache->set(CacheKey{.key = std::to_string(i)}, Value(std::string(1000, 'x')));
  }
  const auto stats = f.cache->get_stats();
  REQUIRE(stats.memory_usage_bytes.has_value());
  CHECK(*stats.memory_usage_bytes > 0);
}
