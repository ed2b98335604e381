// A program outside the project: it sees only the installed headers and library, found through
// pkg-config, the way an application that depends on portico-cache does.
#include <portico/cache.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <tuple>

namespace cache = portico::cache;

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "consumer: FAILED: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  try {
    cache::MemoryCacheAdapter adapter;

    const cache::CacheKey greeting{.key = "greeting", .ns = "consumer", .tags = {"demo"}};
    adapter.set(greeting, std::string("hello"), std::chrono::minutes(5));
    const auto entry = adapter.get(greeting);
    check(entry.has_value(), "get after set finds the entry");
    check(entry && entry->as<std::string>() == "hello", "the value reads back");
    check(!adapter.get(cache::CacheKey{.key = "greeting"}), "another namespace is another entry");

    const auto call = cache::CacheKey::from_function_call("add", std::make_tuple(1, 2));
    check(call.key.size() == 4 + 32 && call.key.rfind("add:", 0) == 0,
          "from_function_call gives \"add:<32 hex>\"");
    check(call.key == cache::CacheKey::from_function_call("add", std::make_tuple(1L, 2u)).key,
          "equal arguments give equal keys");
    adapter.set(call, 3);
    const auto sum = adapter.get(call);
    check(sum && sum->as<int>() == 3, "the function-call entry reads back");

    check(adapter.erase_by_tags({"demo"}) == 1, "erase_by_tags removes the tagged entry");
    check(!adapter.exists(greeting), "the tagged entry is gone");
    check(adapter.exists(call), "the untagged entry stays");

    const cache::CacheStats stats = adapter.get_stats();
    check(stats.total_hits == 2 && stats.total_misses == 1, "hits and misses are counted");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "consumer: unexpected exception: %s\n", e.what());
    return 1;
  }
  if (failures != 0) return 1;
  std::printf("consumer: portico-cache %s works from its installed copy\n", PORTICO_CACHE_VERSION);
  return 0;
}
