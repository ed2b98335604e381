// AsyncCache: operations through futures, exceptions, single-flight, draining destruction.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <portico/cache/async.hpp>

#include "fixtures.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico_test::eventually;
using portico_test::Gate;
using portico_test::make_adapter;

namespace {

bool ready(const auto& future) { return future.wait_for(0s) == std::future_status::ready; }

}  // namespace

TEST_CASE("AsyncCache over a service: every operation answers through a future") {
  auto clock = std::make_shared<ManualClock>();
  auto adapter = make_adapter(clock);
  auto service = std::make_shared<CacheService>(
      adapter, ServiceOptions{.default_ttl = 1h, .default_namespace = "app", .clock = clock});
  AsyncCache cache(service);

  cache.set("a", 1, {.tags = {"t"}}).get();
  cache.set("b", std::string("two"), {.ns = "other"}).get();
  cache.set("c", 3, {.ttl = 1s}).get();
  CHECK(cache.get<int>("a").get() == 1);
  CHECK(cache.get<std::string>("b", "other").get() == "two");
  CHECK_FALSE(cache.get<int>("missing").get().has_value());
  CHECK(cache.get_value("a").get() == Value(1));
  CHECK(cache.exists("a").get());
  CHECK_FALSE(cache.exists("b").get());
  CHECK(service->get<int>("a") == 1);  // the same service underneath

  clock->advance(2s);
  CHECK(cache.cleanup_expired().get() == 1);
  CHECK(cache.invalidate_tags({"t"}).get() == 1);
  CHECK(cache.invalidate_namespace("other").get() == 1);
  cache.set("p:1", 1).get();
  cache.set("p:2", 2).get();
  cache.set("r:1", 1).get();
  CHECK(cache.invalidate_pattern("app:p:*").get() == 2);
  CHECK(cache.invalidate_regex("app:r:[0-9]").get() == 1);
  cache.set("x", 1).get();
  CHECK(cache.erase("x").get());
  CHECK_FALSE(cache.erase("x").get());
  cache.set("y", 1).get();
  const ServiceStats stats = cache.get_stats().get();
  CHECK(stats.cache.total_entries == 1);
  REQUIRE(stats.service.has_value());
  CHECK(stats.service->hits >= 3);
  cache.clear_all().get();
  CHECK(cache.get_stats().get().cache.total_entries == 0);

  // Anything else goes through submit, e.g. a batch on the adapter.
  cache.set("m", 5).get();
  const auto entries = cache.submit([](CacheService& s) {
    return s.adapter().get_many({CacheKey{.key = "m", .ns = "app"}, CacheKey{.key = "n"}});
  }).get();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0]->as<int>() == 5);
  CHECK_FALSE(entries[1].has_value());
}

TEST_CASE("AsyncCache over an adapter adds no defaults") {
  auto adapter = make_adapter(system_clock_source());
  AsyncCache cache(adapter, {.threads = 1});
  cache.set("k", 1).get();
  const auto entry = adapter->get(CacheKey{.key = "k"});
  REQUIRE(entry.has_value());
  CHECK_FALSE(entry->expires_at.has_value());
  CHECK(cache.service().options().default_ttl == std::nullopt);
  CHECK(cache.service().options().default_namespace == std::nullopt);
}

TEST_CASE("AsyncCache: exceptions arrive through the futures") {
  AsyncCache cache(make_adapter(system_clock_source()));
  cache.set("s", "text").get();
  auto wrong_type = cache.get<int>("s");
  CHECK_THROWS_AS(wrong_type.get(), TypeError);
  auto bad_glob = cache.invalidate_pattern("[unclosed");
  CHECK_THROWS_AS(bad_glob.get(), std::invalid_argument);
  auto empty_key = cache.set("", 1);
  CHECK_THROWS_AS(empty_key.get(), std::invalid_argument);
  auto failing = cache.get_or_set<int>("f", []() -> int { throw std::runtime_error("boom"); });
  CHECK_THROWS_WITH_AS(failing.get(), "boom", std::runtime_error);
  auto thrown = cache.submit([](CacheService&) -> int { throw std::logic_error("mine"); });
  CHECK_THROWS_AS(thrown.get(), std::logic_error);
  // The workers survive every one of them.
  CHECK(cache.get_or_set<int>("f", [] { return 3; }).get() == 3);
}

TEST_CASE("AsyncCache get_or_set is single-flight with synchronous callers too") {
  auto adapter = make_adapter(system_clock_source());
  auto service = std::make_shared<CacheService>(adapter);
  AsyncCache cache(service, {.threads = 4});
  Gate release;
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto factory = [calls, &release] {
    calls->fetch_add(1);
    REQUIRE(release.wait());
    return std::string("once");
  };
  std::vector<std::future<std::string>> results;
  for (int i = 0; i < 4; ++i) results.push_back(cache.get_or_set<std::string>("k", factory));
  REQUIRE(eventually([&] { return calls->load() == 1; }));
  auto direct = std::async(std::launch::async, [&] { return service->get_or_set("k", factory); });
  REQUIRE(eventually([&] { return service->get_stats().service->coalesced == 4; }));
  release.open();
  for (auto& result : results) CHECK(result.get() == "once");
  CHECK(direct.get() == "once");
  CHECK(calls->load() == 1);
}

TEST_CASE("destroying an AsyncCache runs every queued operation first") {
  auto adapter = make_adapter(system_clock_source());
  std::vector<std::future<void>> writes;
  std::future<int> blocker;
  Gate release;  // outlives the cache, whose destructor may still run the blocker
  {
    AsyncCache cache(adapter, {.threads = 1});
    blocker = cache.submit([&release](CacheService&) {
      REQUIRE(release.wait());
      return 1;
    });
    for (int i = 0; i < 50; ++i) writes.push_back(cache.set("k" + std::to_string(i), i));
    CHECK_FALSE(ready(writes.back()));  // queued behind the blocker
    release.open();
  }  // drains here
  CHECK(ready(blocker));
  CHECK(blocker.get() == 1);
  for (auto& write : writes) {
    REQUIRE(ready(write));
    CHECK_NOTHROW(write.get());
  }
  CHECK(adapter->get_stats().total_entries == 50);
}

TEST_CASE("AsyncCache rejects null pointers and zero threads") {
  CHECK_THROWS_AS(AsyncCache(std::shared_ptr<CacheService>()), std::invalid_argument);
  CHECK_THROWS_AS(AsyncCache(std::shared_ptr<CacheAdapter>()), std::invalid_argument);
  CHECK_THROWS_AS(AsyncCache(make_adapter(system_clock_source()), {.threads = 0}),
                  std::invalid_argument);
}
