// Many threads on one bounded cache: the bounds and the bookkeeping must survive any
// interleaving (run under ThreadSanitizer to check for races).
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/memory_adapter.hpp>

#include "helpers.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico::cache::testing::random_bytes;

TEST_CASE("concurrent use keeps the bounds and the counts consistent") {
  auto clock = std::make_shared<ManualClock>();
  const std::size_t max_size = 500;
  const std::size_t max_memory = 512 * 1024;
  MemoryCacheAdapter cache(MemoryOptions{.max_size = max_size,
                                         .max_memory_bytes = max_memory,
                                         .enable_compression = true,
                                         .compression_threshold = 256,
                                         .clock = clock});
  cache.start_cleanup_task(1ms);

  constexpr int thread_count = 4;
  constexpr int rounds = 1500;
  std::atomic<std::uint64_t> gets{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < thread_count; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < rounds; ++i) {
        const int n = (i * 7 + t * 13) % 700;
        const CacheKey id{.key = "k" + std::to_string(n), .ns = "ns" + std::to_string(n % 3)};
        CacheKey tagged = id;
        tagged.tags = {"t" + std::to_string(n % 5)};
        switch (i % 10) {
          case 0:
          case 1:
          case 2:
            cache.set(tagged, random_bytes(static_cast<std::size_t>(n % 600), n),
                      n % 2 == 0 ? std::optional<Ttl>(50ms) : std::nullopt);
            break;
          case 3:
            cache.set_many({CacheItem{.key = tagged, .value = n},
                            CacheItem{.key = CacheKey{.key = "m" + std::to_string(n)}, .value = n}});
            break;
          case 4:
            (void)cache.get_many({id, CacheKey{.key = "m" + std::to_string(n)}});
            gets += 2;
            break;
          case 5:
            (void)cache.erase(id);
            break;
          case 6:
            if (n % 50 == 0) (void)cache.erase_by_tags({"t" + std::to_string(n % 5)});
            if (n % 70 == 1) (void)cache.erase_by_pattern("m1*");
            if (n % 90 == 2) (void)cache.erase_by_namespace("ns1");
            break;
          case 7:
            if (t == 0 && i % 100 == 7) {
              cache.set_eviction_policy(i % 200 == 7 ? EvictionPolicy::lfu : EvictionPolicy::lru);
            }
            (void)cache.exists(id);
            break;
          case 8:
            if (t == 1) clock->advance(10ms);
            (void)cache.get_stats();
            break;
          default:
            (void)cache.get(id);
            gets += 1;
            break;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  cache.stop_cleanup_task();

  const CacheStats stats = cache.get_stats();
  CHECK(stats.total_entries <= max_size);
  CHECK(stats.memory_usage_bytes.value() <= max_memory);
  CHECK(stats.total_hits + stats.total_misses == gets.load());

  clock->advance(1h);
  (void)cache.cleanup_expired();
  cache.clear();
  CHECK(cache.get_stats().total_entries == 0);
}
