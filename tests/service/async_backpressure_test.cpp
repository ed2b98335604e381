// AsyncCache's bounded queue: a submitter waits while max_queued operations wait to start.
// Tested with gates and the count of waiting submitters, never with sleeps.
#include <doctest/doctest.h>

#include <atomic>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/async.hpp>

#include "fixtures.hpp"

using namespace portico::cache;
using portico_test::eventually;
using portico_test::Gate;
using portico_test::make_adapter;

TEST_CASE("AsyncCache: a submitter waits while the queue is full, then its operation runs") {
  AsyncCache cache(make_adapter(system_clock_source()), {.threads = 1, .max_queued = 2});
  Gate release;
  std::promise<void> started;
  std::future<void> busy = cache.submit([&](CacheService&) {
    started.set_value();
    CHECK(release.wait());
  });
  started.get_future().wait();  // the only worker is busy, the queue is empty
  std::future<void> first = cache.set("a", 1);
  std::future<void> second = cache.set("b", 2);  // the queue is full
  CHECK(cache.waiting_submitters() == 0);

  std::atomic<bool> returned{false};
  std::future<void> third;
  std::thread producer([&] {
    third = cache.set("c", 3);
    returned = true;
  });
  // Counted as waiting means blocked: only a worker taking an operation lets it go on, and
  // the worker is held at the gate.
  REQUIRE(eventually([&] { return cache.waiting_submitters() == 1; }));
  CHECK_FALSE(returned.load());

  release.open();
  producer.join();
  CHECK(returned.load());
  busy.get();
  first.get();
  second.get();
  third.get();
  CHECK(cache.get<int>("c").get() == 3);
  CHECK(cache.waiting_submitters() == 0);
}

TEST_CASE("AsyncCache: an operation that submits from its worker never waits for room") {
  AsyncCache cache(make_adapter(system_clock_source()), {.threads = 1, .max_queued = 1});
  // With the only worker running this operation, nothing could make room: waiting here
  // would never end.
  auto outer = cache.submit([&cache](CacheService&) {
    std::vector<std::future<void>> inner;
    for (int i = 0; i < 4; ++i) inner.push_back(cache.set("k" + std::to_string(i), i));
    return inner;
  });
  for (std::future<void>& done : outer.get()) done.get();
  CHECK(cache.get<int>("k3").get() == 3);
}

TEST_CASE("AsyncCache: max_queued must be positive") {
  CHECK_THROWS_AS(AsyncCache(make_adapter(system_clock_source()), {.max_queued = 0}),
                  std::invalid_argument);
}
