// The background cleanup task. Expiry is driven by a ManualClock; the tests wait for the
// task's effect with a bounded poll and assert nothing about timing.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/memory_adapter.hpp>

#include "helpers.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico::cache::testing::key;
using portico::cache::testing::wait_until;

namespace {

struct ClockedCache {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  MemoryCacheAdapter cache{MemoryOptions{.clock = clock}};

  void fill() {
    for (int i = 0; i < 50; ++i) cache.set(key("short" + std::to_string(i)), i, 1s);
    for (int i = 0; i < 20; ++i) cache.set(key("forever" + std::to_string(i)), i);
  }
  std::uint64_t entries() { return cache.get_stats().total_entries; }
};

}  // namespace

TEST_CASE("the cleanup task removes expired entries") {
  ClockedCache clocked;
  clocked.fill();
  clocked.cache.start_cleanup_task(5ms);
  CHECK(clocked.entries() == 70);  // nothing has expired yet

  clocked.clock->advance(2s);
  CHECK(wait_until([&] { return clocked.entries() == 20; }));
  CHECK(clocked.cache.exists(key("forever0")));
  clocked.cache.stop_cleanup_task();
}

TEST_CASE("stopping is prompt even with a long interval") {
  ClockedCache clocked;
  clocked.cache.start_cleanup_task(24h);
  // Would block for a day if stop waited out the interval.
  clocked.cache.stop_cleanup_task();
  clocked.cache.stop_cleanup_task();  // stopping a stopped task is harmless

  SUBCASE("the destructor stops a running task") {
    MemoryCacheAdapter cache;
    cache.start_cleanup_task(24h);
  }
}

TEST_CASE("starting again replaces the interval") {
  ClockedCache clocked;
  clocked.fill();
  clocked.cache.start_cleanup_task(24h);
  clocked.cache.start_cleanup_task(5ms);
  clocked.clock->advance(2s);
  CHECK(wait_until([&] { return clocked.entries() == 20; }));
}

TEST_CASE("after stop, nothing is cleaned in the background") {
  ClockedCache clocked;
  clocked.fill();
  clocked.cache.start_cleanup_task(5ms);
  clocked.cache.stop_cleanup_task();
  clocked.clock->advance(2s);
  // The task is joined, so no sweep can be in flight: the count only changes if we ask.
  CHECK(clocked.entries() == 70);
  CHECK(clocked.cache.cleanup_expired() == 50);
}

TEST_CASE("the interval must be positive") {
  MemoryCacheAdapter cache;
  CHECK_THROWS_AS(cache.start_cleanup_task(0ms), std::invalid_argument);
  CHECK_THROWS_AS(cache.start_cleanup_task(-5ms), std::invalid_argument);
}

TEST_CASE("start and stop may race from many threads while the cache is in use") {
  ClockedCache clocked;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clocked, t] {
      for (int i = 0; i < 50; ++i) {
        if ((i + t) % 2 == 0) {
          clocked.cache.start_cleanup_task(1ms);
        } else {
          clocked.cache.stop_cleanup_task();
        }
        clocked.cache.set(key("k" + std::to_string(t) + "-" + std::to_string(i)), i, 1s);
        clocked.clock->advance(100ms);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  clocked.cache.start_cleanup_task(1ms);
  clocked.clock->advance(1h);
  CHECK(wait_until([&] { return clocked.entries() == 0; }));
}
