// demo: portico-cache with its persistent adapter. A slow computation is cached in a cache
// directory (a miss, then a hit), entries are grouped by namespace and by tag and invalidated
// as groups, one expires, and the adapter's statistics close the run. Run it twice on the same
// directory: the second process finds the reports on disk and never computes them.
//
//   demo [CACHE_DIR]        (default: ./var/demo-cache)
//
// run_demo() knows only the port, CacheAdapter; main() picks the adapter.
#include <portico/cache.hpp>

#include <chrono>
#include <filesystem>
#include <cstdio>
#include <string>
#include <thread>
#include <tuple>

namespace cache = portico::cache;
using namespace std::chrono_literals;

namespace {

// The computation worth caching: a report that takes 300 ms to produce.
std::string expensive_report(const std::string& region, int year) {
  std::this_thread::sleep_for(300ms);
  return "sales report, " + region + " " + std::to_string(year) + ": 1284 orders";
}

cache::CacheKey report_key(const std::string& region, int year) {
  return cache::CacheKey::from_function_call("expensive_report", std::make_tuple(region, year),
                                             "demo-reports", {"reports", "region:" + region});
}

// Looks the report up first; computes and stores it only on a miss.
std::string cached_report(cache::CacheAdapter& store, const std::string& region, int year,
                          bool& hit) {
  const cache::CacheKey key = report_key(region, year);
  if (auto entry = store.get(key)) {
    hit = true;
    return entry->as<std::string>();
  }
  hit = false;
  std::string report = expensive_report(region, year);
  store.set(key, report, 10min);
  return report;
}

void timed_report(cache::CacheAdapter& store, const std::string& region, int year) {
  bool hit = false;
  const auto start = std::chrono::steady_clock::now();
  const std::string report = cached_report(store, region, year, hit);
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  std::printf("  %-4s %8.2f ms  %s\n", hit ? "hit" : "miss", took.count(), report.c_str());
}

void section(const char* title) { std::printf("\n%s\n", title); }

}  // namespace

void run_demo(cache::CacheAdapter& store) {
  // The reports stay from run to run: that is the point of a persistent cache. The other
  // sections start from a clean slate in their own namespaces.
  for (const char* ns : {"demo-users", "demo-staging"}) store.erase_by_namespace(ns);

  section("1. A slow computation, cached: the first call misses, the next ones hit");
  std::printf("  key of (\"north\", 2024): %s\n", report_key("north", 2024).full_key().c_str());
  timed_report(store, "north", 2024);
  timed_report(store, "north", 2024);
  timed_report(store, "south", 2024);
  timed_report(store, "south", 2024);

  section("2. Namespaces: the same key in two namespaces is two entries");
  const cache::CacheKey live{.key = "feature-flags", .ns = "demo-users"};
  const cache::CacheKey staging{.key = "feature-flags", .ns = "demo-staging"};
  store.set(live, std::string("dark-mode=off"));
  store.set(staging, std::string("dark-mode=on"));
  std::printf("  %-28s -> %s\n", live.full_key().c_str(), store.get(live)->as<std::string>().c_str());
  std::printf("  %-28s -> %s\n", staging.full_key().c_str(),
              store.get(staging)->as<std::string>().c_str());
  std::printf("  erase_by_namespace(\"demo-staging\") removed %zu; the other is %s\n",
              store.erase_by_namespace("demo-staging"), store.exists(live) ? "still there" : "gone");

  section("3. Tags: invalidate a group of entries at once");
  for (int id : {1, 2, 3}) {
    const std::string user = "user:" + std::to_string(id);
    store.set({.key = user + ":profile", .ns = "demo-users", .tags = {user, "profiles"}},
              std::string("profile of ") + user, 30min);
    store.set({.key = user + ":orders", .ns = "demo-users", .tags = {user}}, id * 10, 30min);
  }
  std::printf("  erase_by_tags({\"user:2\"}) removed %zu entries\n", store.erase_by_tags({"user:2"}));
  std::printf("  erase_by_tags({\"profiles\", \"user:3\"}) removed %zu entries\n",
              store.erase_by_tags({"profiles", "user:3"}));
  std::printf("  user:1:orders is %s\n",
              store.exists({.key = "user:1:orders", .ns = "demo-users"}) ? "still cached" : "gone");

  section("4. Time to live: an entry that lives 100 ms");
  const cache::CacheKey token{.key = "session-token", .ns = "demo-users"};
  store.set(token, std::string("abc123"), 100ms);
  std::printf("  right after set: %s\n", store.get(token) ? "present" : "absent");
  std::this_thread::sleep_for(150ms);
  std::printf("  150 ms later:    %s\n", store.get(token) ? "present" : "absent");

  section("5. Statistics");
  const cache::CacheStats stats = store.get_stats();
  std::printf("  entries %llu, hits %llu, misses %llu, hit rate %.0f %%\n",
              static_cast<unsigned long long>(stats.total_entries),
              static_cast<unsigned long long>(stats.total_hits),
              static_cast<unsigned long long>(stats.total_misses), stats.hit_rate * 100.0);
  if (stats.memory_usage_bytes) {
    std::printf("  memory in use: %llu bytes\n",
                static_cast<unsigned long long>(*stats.memory_usage_bytes));
  }
}

int main(int argc, char** argv) {
  if (argc > 2) {
    std::fprintf(stderr, "usage: demo [CACHE_DIR]\n");
    return 2;
  }
  const std::filesystem::path dir = argc == 2 ? argv[1] : "var/demo-cache";
  try {
    // The adapter. Everything above works the same on any of them.
    cache::RocksDBCacheAdapter store(dir);
    std::printf("portico-cache %s demo, cache directory %s\n", PORTICO_CACHE_VERSION,
                dir.c_str());
    run_demo(store);
  } catch (const cache::CacheError& e) {
    std::fprintf(stderr, "demo: cache error: %s\n", e.what());
    return 1;
  }
  return 0;
}
