// Eviction counting and eviction events, and the health check, of the memory adapter.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/memory_adapter.hpp>

#include "helpers.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico::cache::testing::key;

namespace {

// Every event a listener received, with the thread it arrived on.
struct Recorded {
  std::mutex mutex;
  std::vector<CacheEvent> events;
  std::vector<std::thread::id> threads;

  EventListener listener() {
    return [this](const CacheEvent& event) {
      const std::lock_guard lock(mutex);
      events.push_back(event);
      threads.push_back(std::this_thread::get_id());
    };
  }
  std::vector<std::string> evicted_keys() {
    const std::lock_guard lock(mutex);
    std::vector<std::string> keys;
    for (const CacheEvent& event : events) {
      REQUIRE(event.kind == EventKind::evicted);
      REQUIRE(event.key.has_value());
      CHECK(event.count == 1);
      keys.push_back(event.key->key);
    }
    return keys;
  }
};

void set_names(MemoryCacheAdapter& cache, const std::vector<std::string>& names) {
  for (const std::string& name : names) cache.set(key(name), Value(name));
}

// Runs `work` on another thread and waits for it; false if it did not finish in time (a
// deadlock). The thread is then left behind, holding what it holds: the test has failed.
// `work` must own everything it uses.
template <class Work>
bool finishes(Work work) {
  auto done = std::make_shared<std::promise<void>>();
  std::future<void> finished = done->get_future();
  std::thread worker([done, work = std::move(work)]() mutable {
    work();
    done->set_value();
  });
  if (finished.wait_for(30s) != std::future_status::ready) {
    worker.detach();
    return false;
  }
  worker.join();
  return true;
}

}  // namespace

TEST_CASE("LRU with max_size: every eviction counted and reported with its key, in order") {
  Recorded recorded;
  MemoryCacheAdapter cache(MemoryOptions{.max_size = 3, .on_event = recorded.listener()});
  set_names(cache, {"a", "b", "c"});
  CHECK(cache.get_stats().evictions == 0);
  REQUIRE(cache.get(key("a")));  // order of use: b, c, a
  set_names(cache, {"d", "e"});

  CHECK(cache.get_stats().evictions == 2);
  CHECK(recorded.evicted_keys() == std::vector<std::string>{"b", "c"});
  // The event arrives on the thread whose set made room.
  for (const std::thread::id thread : recorded.threads) CHECK(thread == std::this_thread::get_id());
}

TEST_CASE("LFU with max_size: every eviction counted and reported with its key") {
  Recorded recorded;
  MemoryCacheAdapter cache(MemoryOptions{
      .max_size = 3, .eviction_policy = EvictionPolicy::lfu, .on_event = recorded.listener()});
  set_names(cache, {"a", "b", "c"});
  for (int i = 0; i < 3; ++i) REQUIRE(cache.get(key("a")));
  for (int i = 0; i < 2; ++i) REQUIRE(cache.get(key("b")));
  set_names(cache, {"d"});  // c has no hits
  REQUIRE(cache.get(key("d")));
  set_names(cache, {"e"});  // d has 1 hit, fewer than a and b

  CHECK(cache.get_stats().evictions == 2);
  CHECK(recorded.evicted_keys() == std::vector<std::string>{"c", "d"});
}

TEST_CASE("the evicted key carries its namespace and tags") {
  Recorded recorded;
  MemoryCacheAdapter cache(MemoryOptions{.max_size = 1, .on_event = recorded.listener()});
  cache.set(CacheKey{.key = "k", .ns = "app", .tags = {"t1", "t2"}}, Value(1));
  cache.set(key("other"), Value(2));
  const std::lock_guard lock(recorded.mutex);
  REQUIRE(recorded.events.size() == 1);
  REQUIRE(recorded.events[0].key.has_value());
  CHECK(recorded.events[0].key->ns == std::optional<std::string>("app"));
  CHECK(recorded.events[0].key->tags == std::vector<std::string>{"t1", "t2"});
}

TEST_CASE("sharded max_size: evictions plus entries is what was stored, events match") {
  for (const EvictionPolicy policy : {EvictionPolicy::lru, EvictionPolicy::lfu}) {
    CAPTURE(policy);
    std::atomic<std::uint64_t> events{0};
    MemoryCacheAdapter cache(MemoryOptions{
        .max_size = 1000,
        .eviction_policy = policy,
        .on_event = [&](const CacheEvent& event) { events += event.count; }});
    const int stored = 5000;
    for (int i = 0; i < stored; ++i) {
      cache.set(key("k" + std::to_string(i)), Value(i));
      if (i % 3 == 0) (void)cache.get(key("k" + std::to_string(i / 2)));
    }
    const CacheStats stats = cache.get_stats();
    CHECK(stats.total_entries <= 1000);
    CHECK(stats.evictions + stats.total_entries == stored);
    CHECK(events.load() == stats.evictions);
  }
}

TEST_CASE("max_memory_bytes: evictions plus entries is what was stored") {
  std::atomic<std::uint64_t> events{0};
  MemoryCacheAdapter cache(MemoryOptions{
      .max_memory_bytes = 256 * 1024,
      .on_event = [&](const CacheEvent& event) { events += event.count; }});
  const std::string value(200, 'v');
  const int stored = 5000;
  for (int i = 0; i < stored; ++i) cache.set(key("k" + std::to_string(i)), Value(value));
  const CacheStats stats = cache.get_stats();
  CHECK(stats.evictions > 0);
  CHECK(stats.evictions + stats.total_entries == stored);
  CHECK(events.load() == stats.evictions);
}

TEST_CASE("erase, clear, overwrites and expiry are not evictions") {
  Recorded recorded;
  auto clock = std::make_shared<ManualClock>();
  MemoryCacheAdapter cache(
      MemoryOptions{.max_size = 3, .clock = clock, .on_event = recorded.listener()});
  set_names(cache, {"a", "b", "c"});
  set_names(cache, {"a", "b", "c"});  // overwrites
  CHECK(cache.erase(key("a")));
  CHECK(cache.erase_by_pattern("b") == 1);
  cache.set(key("short"), Value(1), std::chrono::seconds(1));
  cache.set(key("d"), Value(2));  // c, short, d: full
  clock->advance(std::chrono::seconds(2));
  // Over the bound: the expired entry goes first, and it is no eviction.
  cache.set(key("e"), Value(3));
  CHECK_FALSE(cache.exists(key("short")));
  CHECK(cache.exists(key("c")));
  CHECK(cache.erase(key("c")));  // d, e: room for one more
  cache.set(key("expiring"), Value(4), std::chrono::seconds(1));
  clock->advance(std::chrono::seconds(2));
  CHECK(cache.cleanup_expired() == 1);
  cache.clear();

  CHECK(cache.get_stats().evictions == 0);
  const std::lock_guard lock(recorded.mutex);
  CHECK(recorded.events.empty());
}

TEST_CASE("clear keeps the eviction count") {
  MemoryCacheAdapter cache(MemoryOptions{.max_size = 1});
  set_names(cache, {"a", "b", "c"});
  cache.clear();
  CHECK(cache.get_stats().evictions == 2);
}

TEST_CASE("a listener that throws breaks nothing and is counted") {
  MemoryCacheAdapter cache(MemoryOptions{
      .max_size = 2,
      .on_event = [](const CacheEvent&) { throw std::runtime_error("listener failed"); }});
  set_names(cache, {"a", "b"});
  CHECK_NOTHROW(cache.set(key("c"), Value("c")));
  CHECK_NOTHROW(cache.set(key("d"), Value("d")));
  // The sets took effect all the same.
  CHECK(cache.get(key("c")).has_value());
  CHECK(cache.get(key("d")).has_value());
  const CacheStats stats = cache.get_stats();
  CHECK(stats.evictions == 2);
  CHECK(stats.listener_errors == 2);

  MemoryCacheAdapter quiet(MemoryOptions{.max_size = 1});
  set_names(quiet, {"a", "b"});
  CHECK(quiet.get_stats().listener_errors == 0);
}

TEST_CASE("a listener may call back into the cache, on the key's own shard too") {
  struct Shared {
    MemoryCacheAdapter* cache = nullptr;
    std::atomic<int> depth{0};
    std::atomic<int> calls{0};
  };
  auto shared = std::make_shared<Shared>();
  auto listener = [shared](const CacheEvent& event) {
    ++shared->calls;
    MemoryCacheAdapter& c = *shared->cache;
    // Every call a listener could make: reads, stats, a policy switch, and a write that may
    // itself evict (bounded recursion).
    (void)c.get(*event.key);
    (void)c.exists(key("kept"));
    (void)c.get_stats();
    (void)c.get_many({*event.key, key("kept")});
    c.set_eviction_policy(c.get_eviction_policy());
    if (shared->depth.fetch_add(1) < 3) c.set(key("from-listener-" + event.key->key), Value(1));
    --shared->depth;
  };
  // A single shard: the listener's calls go to the very shard that evicted.
  auto owned = std::make_shared<MemoryCacheAdapter>(
      MemoryOptions{.max_size = 2, .on_event = listener});
  shared->cache = owned.get();

  CHECK(finishes([owned] {
    for (int i = 0; i < 20; ++i) owned->set(key("k" + std::to_string(i)), Value(i));
    std::vector<CacheItem> items;
    for (int i = 0; i < 5; ++i) items.push_back(CacheItem{.key = key("b" + std::to_string(i))});
    owned->set_many(std::move(items));
  }));
  CHECK(shared->calls.load() > 0);
  CHECK(static_cast<std::uint64_t>(shared->calls.load()) == owned->get_stats().evictions);
}

TEST_CASE("LFU under a memory bound: a get that needs a new bucket evicts, on its thread") {
  Recorded recorded;
  MemoryCacheAdapter cache(MemoryOptions{.max_memory_bytes = 64 * 1024,
                                         .eviction_policy = EvictionPolicy::lfu,
                                         .on_event = recorded.listener()});
  const std::string value(100, 'v');
  int stored = 0;
  // Fill up to the bound: stop at the first eviction.
  while (cache.get_stats().evictions == 0) {
    cache.set(key("k" + std::to_string(stored++)), Value(value));
  }
  const std::uint64_t after_sets = cache.get_stats().evictions;
  {
    const std::lock_guard lock(recorded.mutex);
    recorded.events.clear();
    recorded.threads.clear();
  }
  // Hitting entries to ever more distinct counts needs a frequency bucket per count.
  std::thread reader([&] {
    for (int i = stored - 1, hits = 1; i >= stored - 60 && i >= 0; --i, ++hits) {
      for (int h = 0; h < hits; ++h) (void)cache.get(key("k" + std::to_string(i)));
    }
  });
  const std::thread::id reader_id = reader.get_id();
  reader.join();

  const std::uint64_t by_gets = cache.get_stats().evictions - after_sets;
  CHECK(by_gets > 0);
  const std::lock_guard lock(recorded.mutex);
  CHECK(recorded.events.size() == by_gets);
  for (const std::thread::id thread : recorded.threads) CHECK(thread == reader_id);
}

TEST_CASE("health: a round trip through every shard that changes and counts nothing") {
  MemoryCacheAdapter cache(MemoryOptions{.max_size = 10'000});
  cache.set(key("a"), Value(1));
  (void)cache.get(key("a"));
  (void)cache.get(key("absent"));
  const CacheStats before = cache.get_stats();

  const HealthReport report = cache.health();
  CHECK(report.ok);
  CHECK(report.adapter == "memory");
  CHECK(report.message.empty());

  const CacheStats after = cache.get_stats();
  CHECK(after.total_entries == before.total_entries);
  CHECK(after.total_hits == before.total_hits);
  CHECK(after.total_misses == before.total_misses);
  CHECK(after.memory_usage_bytes == before.memory_usage_bytes);
  CHECK_FALSE(cache.exists(CacheKey{.key = "health", .ns = "portico.health"}));
}

TEST_CASE("health reports a failing clock instead of throwing") {
  struct BrokenClock : Clock {
    TimePoint now() const override { throw std::runtime_error("clock unavailable"); }
  };
  MemoryCacheAdapter cache(MemoryOptions{.clock = std::make_shared<BrokenClock>()});
  const HealthReport report = cache.health();
  CHECK_FALSE(report.ok);
  CHECK(report.message == "clock unavailable");
}
