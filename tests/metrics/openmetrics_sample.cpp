// Prints the OpenMetrics text of a metered memory cache after a known series of calls, for
// check_openmetrics.py to parse with prometheus_client. Optional argument: the prefix.
//
// The calls: 4 sets (one evicts: max_size 3), 5 gets (3 hits, 2 misses), 1 get_many of 3 keys
// (2 hits, 1 miss), 1 erase, 1 erase_by_pattern.
#include <iostream>
#include <memory>
#include <string>

#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/metered_adapter.hpp>

namespace cache = portico::cache;

int main(int argc, char** argv) {
  cache::MeteredAdapter store(
      std::make_shared<cache::MemoryCacheAdapter>(cache::MemoryOptions{.max_size = 3}));
  const auto key = [](std::string name) { return cache::CacheKey{.key = std::move(name)}; };
  for (const char* name : {"a", "b", "c", "d"}) store.set(key(name), cache::Value(name));
  for (const char* name : {"b", "c", "d", "a", "zz"}) (void)store.get(key(name));
  (void)store.get_many({key("b"), key("c"), key("nope")});
  (void)store.erase(key("b"));
  (void)store.erase_by_pattern("c*");
  const cache::MetricsSnapshot snapshot = store.metrics();
  std::cout << (argc > 1 ? cache::to_openmetrics(snapshot, argv[1])
                         : cache::to_openmetrics(snapshot));
  return 0;
}
