// get_or_set: single-flight across threads, errors, early refresh and stale-while-revalidate.
#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/service.hpp>

#include "fixtures.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico_test::eventually;
using portico_test::Gate;
using portico_test::make_adapter;

namespace {

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<CacheAdapter> adapter = make_adapter(clock);
};

ServiceCounters counters(CacheService& svc) { return *svc.get_stats().service; }

}  // namespace

TEST_CASE("get_or_set stores the factory's result and reads it back afterwards") {
  Fixture f;
  CacheService svc(f.adapter, {.default_ttl = 1h, .clock = f.clock});
  int calls = 0;
  auto factory = [&] {
    ++calls;
    return std::string("value");
  };
  CHECK(svc.get_or_set<std::string>("k", factory) == "value");
  CHECK(svc.get_or_set<std::string>("k", factory) == "value");
  CHECK(calls == 1);
  CHECK(svc.get<std::string>("k") == "value");

  // T defaults to the factory's result type; a factory may return something convertible.
  const auto deduced = svc.get_or_set("d", [] { return 5; });
  static_assert(std::is_same_v<decltype(deduced), const int>);
  CHECK(deduced == 5);
  CHECK(svc.get_or_set<long>("c", [] { return 6; }) == 6L);
  CHECK(svc.get_or_set<std::string>("cs", [] { return "chars"; }) == "chars");
  CHECK(svc.get_or_set<int>("v", [] { return Value(8); }) == 8);

  // Options apply to the stored entry; the value expires and is computed again.
  CHECK(svc.get_or_set<int>("t", [&] { return ++calls; }, {.ttl = 30min, .tags = {"x"}}) == 2);
  f.clock->advance(30min + 1us);
  CHECK(svc.get_or_set<int>("t", [&] { return ++calls; }, {.ttl = 30min}) == 3);
  CHECK(svc.get_or_set<int>("t", [&] { return ++calls; }, {.ns = "other"}) == 4);
  CHECK(svc.get<int>("t", "other") == 4);
}

TEST_CASE("get_or_set of a value stored with another type throws TypeError") {
  Fixture f;
  CacheService svc(f.adapter, {.clock = f.clock});
  svc.set("k", "text");
  CHECK_THROWS_AS(svc.get_or_set<int>("k", [] { return 1; }), TypeError);
}

TEST_CASE("16 threads on a few keys: one factory call per key and per expiry") {
  Fixture f;
  CacheService svc(f.adapter, {.default_ttl = 1min, .clock = f.clock});
  constexpr int kThreads = 16;
  constexpr int kKeys = 4;
  constexpr int kRounds = 200;
  std::array<std::atomic<int>, kKeys> calls{};

  auto hammer = [&](int generation) {
    std::latch start(kThreads);
    std::atomic<int> wrong{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int round = 0; round < kRounds; ++round) {
          const int key = (t + round) % kKeys;
          const int value = svc.get_or_set<int>("key" + std::to_string(key), [&] {
            calls[key].fetch_add(1);
            std::this_thread::yield();  // widen the window for racing callers
            return key * 100 + generation;
          });
          if (value != key * 100 + generation) wrong.fetch_add(1);
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    CHECK(wrong.load() == 0);
  };

  hammer(1);
  for (int key = 0; key < kKeys; ++key) CHECK(calls[key].load() == 1);
  f.clock->advance(1min + 1us);  // every value expires once
  hammer(2);
  for (int key = 0; key < kKeys; ++key) CHECK(calls[key].load() == 2);
  CHECK(counters(svc).factory_calls == 2 * kKeys);
}

TEST_CASE("a slow factory: concurrent callers wait for its value and never run their own") {
  Fixture f;
  CacheService svc(f.adapter, {.clock = f.clock});
  constexpr int kWaiters = 15;
  Gate release;
  std::atomic<int> calls{0};
  std::atomic<int> returned{0};

  auto slow = [&] {
    calls.fetch_add(1);
    REQUIRE(release.wait());
    return std::string("slow value");
  };
  std::future<std::string> leader = std::async(std::launch::async, [&] {
    std::string v = svc.get_or_set<std::string>("k", slow);
    returned.fetch_add(1);
    return v;
  });
  REQUIRE(eventually([&] { return calls.load() == 1; }));

  std::vector<std::future<std::string>> waiters;
  for (int i = 0; i < kWaiters; ++i) {
    waiters.push_back(std::async(std::launch::async, [&] {
      std::string v = svc.get_or_set<std::string>("k", slow);
      returned.fetch_add(1);
      return v;
    }));
  }
  // Every waiter has joined the running computation and is blocked in it.
  REQUIRE(eventually([&] { return counters(svc).coalesced == kWaiters; }));
  CHECK(returned.load() == 0);
  CHECK(calls.load() == 1);

  release.open();
  CHECK(leader.get() == "slow value");
  for (auto& waiter : waiters) CHECK(waiter.get() == "slow value");
  CHECK(calls.load() == 1);

  // A caller that arrives after the result was stored reads it from the cache.
  CHECK(svc.get_or_set<std::string>("k", [&] {
    calls.fetch_add(1);
    return std::string("again");
  }) == "slow value");
  CHECK(calls.load() == 1);
  CHECK(counters(svc).hits == 1);
}

TEST_CASE("a factory that throws: every waiter gets the exception, nothing is cached") {
  Fixture f;
  CacheService svc(f.adapter, {.clock = f.clock});
  constexpr int kWaiters = 7;
  Gate release;
  std::atomic<int> calls{0};

  auto failing = [&]() -> int {
    calls.fetch_add(1);
    REQUIRE(release.wait());
    throw std::runtime_error("backend down");
  };
  std::vector<std::future<int>> callers;
  callers.push_back(std::async(std::launch::async, [&] { return svc.get_or_set<int>("k", failing); }));
  REQUIRE(eventually([&] { return calls.load() == 1; }));
  for (int i = 0; i < kWaiters; ++i) {
    callers.push_back(
        std::async(std::launch::async, [&] { return svc.get_or_set<int>("k", failing); }));
  }
  REQUIRE(eventually([&] { return counters(svc).coalesced == kWaiters; }));
  release.open();
  for (auto& caller : callers) {
    CHECK_THROWS_WITH_AS(caller.get(), "backend down", std::runtime_error);
  }
  CHECK(calls.load() == 1);
  CHECK_FALSE(svc.exists("k"));
  CHECK(counters(svc).factory_errors == 1);

  // The next call tries again.
  CHECK(svc.get_or_set<int>("k", [&] {
    calls.fetch_add(1);
    return 7;
  }) == 7);
  CHECK(calls.load() == 2);
  CHECK(svc.get<int>("k") == 7);
}

TEST_CASE("different keys and namespaces do not wait for each other") {
  Fixture f;
  CacheService svc(f.adapter, {.default_namespace = "a", .clock = f.clock});
  Gate release;
  std::atomic<int> started{0};
  auto blocked = std::async(std::launch::async, [&] {
    return svc.get_or_set<int>("k", [&] {
      started.fetch_add(1);
      REQUIRE(release.wait());
      return 1;
    });
  });
  REQUIRE(eventually([&] { return started.load() == 1; }));
  // Same key, other namespace: its own computation, which does not block.
  CHECK(svc.get_or_set<int>("k", [] { return 2; }, {.ns = "b"}) == 2);
  CHECK(svc.get_or_set<int>("other", [] { return 3; }) == 3);
  release.open();
  CHECK(blocked.get() == 1);
}

TEST_CASE("early refresh (XFetch) recomputes ahead of expiry with a probability") {
  Fixture f;
  std::atomic<double> random{std::exp(-1.0)};  // ln(random) = -1
  CacheService svc(f.adapter, {.default_ttl = 1min,
                               .clock = f.clock,
                               .early_refresh_beta = 1.0,
                               .random = [&] { return random.load(); }});
  int calls = 0;
  // Each computation takes 10 s of the manual clock: delta = 10 s.
  auto factory = [&] {
    f.clock->advance(10s);
    return ++calls;
  };
  CHECK(svc.get_or_set<int>("k", factory) == 1);  // expires 60 s after it was stored

  f.clock->advance(45s);  // 15 s left; head start 10 s * 1.0 * 1 = 10 s: keep
  CHECK(svc.get_or_set<int>("k", factory) == 1);
  f.clock->advance(6s);  // 9 s left < 10 s: recompute now, synchronously, in this caller
  CHECK(svc.get_or_set<int>("k", factory) == 2);
  CHECK(counters(svc).early_refreshes == 1);

  // random() = 1 gives no head start at all: never early.
  random = 1.0;
  f.clock->advance(59s);
  CHECK(svc.get_or_set<int>("k", factory) == 2);
  // A bigger head start (random close to 0) refreshes far ahead of expiry.
  random = std::exp(-10.0);  // head start 100 s
  CHECK(svc.get_or_set<int>("k", factory) == 3);
  CHECK(calls == 3);

  // Plain get understands the envelope, and stops at the logical expiry.
  CHECK(svc.get<int>("k") == 3);
  f.clock->advance(60s);
  CHECK(svc.get<int>("k") == 3);
  f.clock->advance(1us);
  CHECK_FALSE(svc.get<int>("k").has_value());
  CHECK_FALSE(svc.exists("k"));
}

TEST_CASE("early refresh: other readers keep the current value, failures keep it too") {
  Fixture f;
  CacheService svc(f.adapter, {.default_ttl = 1min,
                               .clock = f.clock,
                               .early_refresh_beta = 1.0,
                               .random = [] { return std::exp(-1.0); }});
  CHECK(svc.get_or_set<int>("k", [&] {
    f.clock->advance(10s);
    return 1;
  }) == 1);
  f.clock->advance(55s);  // inside the 10 s head start

  Gate release;
  std::atomic<int> refreshing{0};
  auto refresher = std::async(std::launch::async, [&] {
    return svc.get_or_set<int>("k", [&] {
      refreshing.fetch_add(1);
      REQUIRE(release.wait());
      f.clock->advance(10s);
      return 2;
    });
  });
  REQUIRE(eventually([&] { return refreshing.load() == 1; }));
  // Another reader also wins the lottery, but a refresh is running: it gets the current value
  // at once instead of waiting.
  CHECK(svc.get_or_set<int>("k", [] { return 99; }) == 1);
  release.open();
  CHECK(refresher.get() == 2);
  CHECK(svc.get<int>("k") == 2);

  // A failing early refresh leaves the still-valid value in place.
  f.clock->advance(59s);
  CHECK(svc.get_or_set<int>("k", []() -> int { throw std::runtime_error("no"); }) == 2);
  CHECK(counters(svc).factory_errors == 1);
  CHECK(svc.get<int>("k") == 2);
}

TEST_CASE("stale-while-revalidate serves the expired value while one background refresh runs") {
  Fixture f;
  CacheService svc(f.adapter, {.default_ttl = 10s,
                               .clock = f.clock,
                               .stale_while_revalidate = 30s});
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto release = std::make_shared<Gate>();
  // Copyable and self-contained: it may run on the refresh thread after the call returns.
  auto factory = [calls, release] {
    const int n = calls->fetch_add(1) + 1;
    if (n > 1) REQUIRE(release->wait());
    return n;
  };
  CHECK(svc.get_or_set<int>("k", factory) == 1);

  // The entry physically outlives its logical expiry by the grace period.
  const auto entry = f.adapter->get(CacheKey{.key = "k"});
  REQUIRE(entry.has_value());
  REQUIRE(entry->expires_at.has_value());
  CHECK(*entry->expires_at - entry->created_at == 40s);

  f.clock->advance(15s);  // expired 5 s ago, inside the grace period
  CHECK_FALSE(svc.get<int>("k").has_value());  // plain reads do not serve stale values
  CHECK_FALSE(svc.exists("k"));

  // Many concurrent stale readers: all get the stale value at once; one refresh runs.
  std::vector<std::future<int>> readers;
  for (int i = 0; i < 8; ++i) {
    readers.push_back(
        std::async(std::launch::async, [&] { return svc.get_or_set<int>("k", factory); }));
  }
  for (auto& reader : readers) CHECK(reader.get() == 1);
  REQUIRE(eventually([&] { return calls->load() == 2; }));
  CHECK(counters(svc).stale_served == 8);
  CHECK(counters(svc).background_refreshes == 1);

  release->open();
  REQUIRE(eventually([&] { return svc.get<int>("k") == 2; }));
  CHECK(svc.get_or_set<int>("k", factory) == 2);
  CHECK(calls->load() == 2);

  // Past the grace period there is nothing to serve: the caller computes synchronously.
  f.clock->advance(10s + 30s + 1us);
  CHECK(svc.get_or_set<int>("k", factory) == 3);
}

TEST_CASE("stale-while-revalidate: a failed refresh keeps serving stale and tries again") {
  Fixture f;
  CacheService svc(f.adapter, {.default_ttl = 10s,
                               .clock = f.clock,
                               .stale_while_revalidate = 30s});
  CHECK(svc.get_or_set<int>("k", [] { return 1; }) == 1);
  f.clock->advance(11s);

  auto attempts = std::make_shared<std::atomic<int>>(0);
  auto failing = [attempts]() -> int {
    attempts->fetch_add(1);
    throw std::runtime_error("refresh failed");
  };
  CHECK(svc.get_or_set<int>("k", failing) == 1);
  REQUIRE(eventually([&] { return counters(svc).factory_errors == 1; }));
  // The error is not cached: the next stale read schedules another refresh.
  REQUIRE(eventually([&] {
    CHECK(svc.get_or_set<int>("k", failing) == 1);
    return attempts->load() >= 2;
  }));
  REQUIRE(eventually([&] {
    return counters(svc).factory_errors == static_cast<std::uint64_t>(attempts->load());
  }));

  // A factory that cannot be copied cannot run later on the refresh thread: the stale caller
  // refreshes itself and gets the new value (once the last failed refresh has landed).
  REQUIRE(eventually([&] {
    return svc.get_or_set<int>("k", [p = std::make_unique<int>(5)] { return *p; }) == 5;
  }));
  CHECK(svc.get<int>("k") == 5);
}

TEST_CASE("destroying the service lets a scheduled background refresh finish") {
  Fixture f;
  auto done = std::make_shared<std::atomic<bool>>(false);
  {
    CacheService svc(f.adapter, {.default_ttl = 10s,
                                 .clock = f.clock,
                                 .stale_while_revalidate = 30s});
    CHECK(svc.get_or_set<int>("k", [] { return 1; }) == 1);
    f.clock->advance(11s);
    CHECK(svc.get_or_set<int>("k", [done] {
      std::this_thread::sleep_for(20ms);
      done->store(true);
      return 2;
    }) == 1);
  }
  CHECK(done->load());
  CacheService reader(f.adapter, {.clock = f.clock, .stale_while_revalidate = 30s});
  CHECK(reader.get<int>("k") == 2);
}
