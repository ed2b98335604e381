// CacheService::metrics() and health().
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/metered_adapter.hpp>
#include <portico/cache/service.hpp>

using namespace portico::cache;
using namespace std::chrono_literals;

TEST_CASE("the service's adapter calls are measured; adapter() is still the one given") {
  auto memory = std::make_shared<MemoryCacheAdapter>(MemoryOptions{.max_size = 2});
  CacheService svc(memory, {.default_namespace = "app"});
  CHECK(&svc.adapter() == memory.get());

  svc.set("a", Value(1));
  svc.set("b", Value(2));
  svc.set("c", Value(3));  // evicts a
  CHECK(svc.get<int>("c") == 3);
  CHECK_FALSE(svc.get<int>("a"));
  CHECK(svc.get_or_set<int>("d", [] { return 4; }) == 4);  // a get, then a set
  CHECK(svc.invalidate_pattern("app:*") == 2);

  const MetricsSnapshot s = svc.metrics();
  CHECK(s[Operation::set].calls == 4);
  CHECK(s[Operation::get].calls >= 3);  // get_or_set may read again before computing
  CHECK(s[Operation::get].calls == s.hits + s.misses);
  CHECK(s.hits == 1);
  CHECK(s[Operation::erase_by_pattern].calls == 1);
  CHECK(s.cache.evictions == 2);
  CHECK(s.evictions == 2);
  CHECK(s.cache.total_entries == 0);
}

TEST_CASE("without enable_stats the service measures nothing, yet reports the adapter's stats") {
  auto memory = std::make_shared<MemoryCacheAdapter>(MemoryOptions{.max_size = 1});
  CacheService svc(memory, {.enable_stats = false});
  svc.set("a", Value(1));
  svc.set("b", Value(2));
  (void)svc.get<int>("b");
  const MetricsSnapshot s = svc.metrics();
  for (const OperationMetrics& op : s.operations) CHECK(op.calls == 0);
  CHECK(s.hits == 0);
  CHECK(s.cache.total_hits == 1);
  CHECK(s.cache.evictions == 1);
}

TEST_CASE("a service over a MeteredAdapter uses its meter rather than adding one") {
  auto metered = std::make_shared<MeteredAdapter>(std::make_shared<MemoryCacheAdapter>());
  CacheService svc(metered);
  svc.set("a", Value(1));
  (void)svc.get<int>("a");
  metered->set(CacheKey{.key = "direct"}, Value(2));
  CHECK(metered->metrics()[Operation::set].calls == 2);
  CHECK(svc.metrics()[Operation::set].calls == 2);
  CHECK(svc.metrics().hits == 1);
}

TEST_CASE("the service's health is its adapter's, also for a borrowed adapter") {
  MemoryCacheAdapter memory;
  CacheService svc(memory);
  const HealthReport report = svc.health();
  CHECK(report.ok);
  CHECK(report.adapter == "memory");
  CHECK(report.message.empty());
  // A borrowed adapter is metered too.
  svc.set("k", Value(1));
  CHECK(svc.metrics()[Operation::set].calls == 1);
}
