#include <doctest/doctest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "fixtures.hpp"

using portico::cache::CacheItem;
using portico::cache::CacheKey;
using portico::cache::Value;

namespace {
constexpr int kThreads = 8;
constexpr int kOwnKeys = 50;
constexpr int kSharedKeys = 10;

std::string own_key(int thread, int i) { return "t" + std::to_string(thread) + ":k" + std::to_string(i); }
std::string shared_key(int i) { return "shared:" + std::to_string(i); }
std::string writer_tag(int thread) { return "writer-" + std::to_string(thread); }
}  // namespace

TEST_CASE_TEMPLATE("8 threads of mixed operations leave a consistent, predictable state", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  auto& cache = *f.cache;
  std::atomic<int> torn_reads{0};
  std::atomic<int> wrong_own_values{0};

  auto worker = [&](int t) {
    const std::string own_tag = "own-" + std::to_string(t);
    const std::string even_tag = "even-" + std::to_string(t);
    for (int i = 0; i < kOwnKeys; ++i) {
      cache.set(CacheKey{.key = own_key(t, i), .ns = "w", .tags = {own_tag}}, Value(i));
      cache.set(CacheKey{.key = shared_key((i + t) % kSharedKeys), .tags = {"shared", writer_tag(t)}},
                Value(t));
      // A shared entry read back is always one writer's whole write: value and tags agree.
      if (auto shared = cache.get(CacheKey{.key = shared_key((i * 3) % kSharedKeys)})) {
        const int writer = shared->template as<int>();
        if (shared->key.tags != std::vector<std::string>{"shared", writer_tag(writer)}) ++torn_reads;
      }
      if (i % 2 == 0) {
        cache.set_many({CacheItem{
            .key = CacheKey{.key = own_key(t, i), .ns = "w", .tags = {own_tag, even_tag}},
            .value = Value(i * 10)}});
      }
      if (i % 5 == 0) cache.erase(CacheKey{.key = own_key(t, i), .ns = "w"});
      const auto own = cache.get(CacheKey{.key = own_key(t, i), .ns = "w"});
      const int expected = i % 2 == 0 ? i * 10 : i;
      if (i % 5 == 0 ? own.has_value() : (!own || own->template as<int>() != expected)) ++wrong_own_values;
      if (i % 10 == 0) {
        cache.get_stats();
        cache.cleanup_expired();
        cache.exists(CacheKey{.key = shared_key(i % kSharedKeys)});
        cache.get_many({CacheKey{.key = own_key(t, 1), .ns = "w"}, CacheKey{.key = shared_key(1)}});
      }
    }
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  for (auto& thread : threads) thread.join();

  CHECK(torn_reads.load() == 0);
  CHECK(wrong_own_values.load() == 0);
  constexpr int kOwnLeft = kOwnKeys - kOwnKeys / 5;  // every fifth key was erased
  CHECK(cache.get_stats().total_entries == kThreads * kOwnLeft + kSharedKeys);

  for (int s = 0; s < kSharedKeys; ++s) {
    const auto entry = cache.get(CacheKey{.key = shared_key(s)});
    REQUIRE(entry);
    CHECK(entry->key.tags == std::vector<std::string>{"shared", writer_tag(entry->template as<int>())});
  }
  // Every index agrees with the data: each entry is found exactly once through its tags.
  std::size_t by_writer = 0;
  for (int t = 0; t < kThreads; ++t) by_writer += cache.erase_by_tags({writer_tag(t)});
  CHECK(by_writer == kSharedKeys);
  CHECK(cache.erase_by_tags({"shared"}) == 0);
  for (int t = 0; t < kThreads; ++t) {
    // Even keys that survived: 25 even, of which the 5 multiples of ten were erased.
    CHECK(cache.erase_by_tags({"even-" + std::to_string(t)}) == 20);
  }
  CHECK(cache.get_stats().total_entries == kThreads * (kOwnLeft - 20));
  CHECK(cache.erase_by_namespace("w") == kThreads * (kOwnLeft - 20));
  CHECK(cache.get_stats().total_entries == 0);
}
