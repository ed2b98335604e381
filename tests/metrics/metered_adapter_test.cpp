// MeteredAdapter: forwards every call unchanged and records what it did.
#include <doctest/doctest.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/errors.hpp>
#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/metered_adapter.hpp>

using namespace portico::cache;
using namespace std::chrono_literals;

namespace {

CacheKey key(std::string name) { return CacheKey{.key = std::move(name)}; }

struct Metered {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<MemoryCacheAdapter> memory =
      std::make_shared<MemoryCacheAdapter>(MemoryOptions{.max_size = 100, .clock = clock});
  MeteredAdapter cache{memory};
};

// Every hook throws IoError, except get_stats.
class FailingAdapter final : public CacheAdapter {
 protected:
  [[noreturn]] static void fail() { throw IoError("disk gone"); }
  std::optional<CacheEntry> do_get(const CacheKey&) override { fail(); }
  void do_set(const CacheKey&, Value, std::optional<Ttl>) override { fail(); }
  bool do_erase(const CacheKey&) override { fail(); }
  std::size_t do_erase_matching(const KeyPattern&) override { fail(); }
  std::size_t do_erase_by_namespace(const std::string&) override { fail(); }
  std::size_t do_erase_by_tags(const std::vector<std::string>&) override { fail(); }
  void do_clear() override { fail(); }
  bool do_exists(const CacheKey&) override { fail(); }
  CacheStats do_get_stats() override { return CacheStats{.total_entries = 7}; }
  std::size_t do_cleanup_expired() override { fail(); }
};

void check_consistent(const MetricsSnapshot& snapshot) {
  for (const OperationMetrics& op : snapshot.operations) {
    CHECK(op.calls == op.latency.count());
    CHECK(op.errors <= op.calls);
  }
}

}  // namespace

TEST_CASE("every operation is forwarded and counted once") {
  Metered m;
  MeteredAdapter& cache = m.cache;
  cache.set(CacheKey{.key = "a", .ns = "n", .tags = {"t"}}, Value(1));
  cache.set(key("b"), Value(2), 1s);
  CHECK(cache.get(CacheKey{.key = "a", .ns = "n"})->as<int>() == 1);
  CHECK_FALSE(cache.get(key("absent")));
  CHECK(cache.exists(key("b")));
  CHECK(cache.erase(key("b")));
  CHECK(cache.erase_by_pattern("n:*") == 1);
  CHECK(cache.erase_by_regex("n:.*") == 0);
  CHECK(cache.erase_by_namespace("n") == 0);
  CHECK(cache.erase_by_tags({"t"}) == 0);
  cache.set_many({CacheItem{.key = key("x"), .value = Value(1)},
                  CacheItem{.key = key("y"), .value = Value(2), .ttl = 1s}});
  const auto entries = cache.get_many({key("x"), key("y"), key("z")});
  CHECK(entries[0]);
  CHECK(entries[1]);
  CHECK_FALSE(entries[2]);
  m.clock->advance(2s);
  CHECK(cache.cleanup_expired() == 1);
  CHECK(cache.erase_many({key("x"), key("z")}) == 1);
  cache.clear();

  const MetricsSnapshot s = cache.metrics();
  check_consistent(s);
  CHECK(s[Operation::get].calls == 2);
  CHECK(s[Operation::set].calls == 2);
  CHECK(s[Operation::exists].calls == 1);
  CHECK(s[Operation::erase].calls == 1);
  CHECK(s[Operation::erase_by_pattern].calls == 2);  // the glob and the regex
  CHECK(s[Operation::erase_by_namespace].calls == 1);
  CHECK(s[Operation::erase_by_tags].calls == 1);
  CHECK(s[Operation::set_many].calls == 1);
  CHECK(s[Operation::get_many].calls == 1);
  CHECK(s[Operation::cleanup_expired].calls == 1);
  CHECK(s[Operation::erase_many].calls == 1);
  CHECK(s[Operation::clear].calls == 1);
  for (const OperationMetrics& op : s.operations) CHECK(op.errors == 0);
  // get: one hit, one miss; get_many: two hits, one miss.
  CHECK(s.hits == 3);
  CHECK(s.misses == 2);
  CHECK(s.hit_rate() == doctest::Approx(0.6));
}

TEST_CASE("the snapshot carries the wrapped adapter's statistics, evictions included") {
  Metered m;
  for (int i = 0; i < 150; ++i) m.cache.set(key("k" + std::to_string(i)), Value(i));
  (void)m.cache.get(key("k149"));
  const MetricsSnapshot s = m.cache.metrics();
  const CacheStats direct = m.memory->get_stats();
  CHECK(s.cache.total_entries == direct.total_entries);
  CHECK(s.cache.total_hits == direct.total_hits);
  CHECK(s.cache.evictions == 50);
  CHECK(s.evictions == 50);
  // metrics() itself is not an operation.
  CHECK(m.cache.metrics()[Operation::get].calls == 1);
}

TEST_CASE("calls the adapter answers directly are the wrapped adapter's: not seen") {
  Metered m;
  m.memory->set(key("a"), Value(1));
  (void)m.memory->get(key("a"));
  const MetricsSnapshot s = m.cache.metrics();
  CHECK(s[Operation::set].calls == 0);
  CHECK(s.hits == 0);
  CHECK(s.cache.total_hits == 1);
}

TEST_CASE("bad arguments are rejected before the adapter and not counted") {
  Metered m;
  CHECK_THROWS_AS(m.cache.get(key("")), std::invalid_argument);
  CHECK_THROWS_AS(m.cache.set(key("a"), Value(1), Ttl(0)), std::invalid_argument);
  CHECK_THROWS_AS(m.cache.erase_by_pattern("[unclosed"), std::invalid_argument);
  const MetricsSnapshot s = m.cache.metrics();
  for (const OperationMetrics& op : s.operations) CHECK(op.calls == 0);
  CHECK(s.misses == 0);
}

TEST_CASE("a call that throws is counted as a call and an error; the exception passes through") {
  MeteredAdapter cache(std::make_shared<FailingAdapter>());
  CHECK_THROWS_AS(cache.get(key("a")), IoError);
  CHECK_THROWS_AS(cache.get(key("a")), IoError);
  CHECK_THROWS_AS(cache.set(key("a"), Value(1)), IoError);
  CHECK_THROWS_AS(cache.erase_by_regex("a.*"), IoError);
  // get_many's default loops over do_get: one get_many call, one error.
  CHECK_THROWS_AS(cache.get_many({key("a"), key("b")}), IoError);

  const MetricsSnapshot s = cache.metrics();
  check_consistent(s);
  CHECK(s[Operation::get].calls == 2);
  CHECK(s[Operation::get].errors == 2);
  CHECK(s[Operation::set].errors == 1);
  CHECK(s[Operation::erase_by_pattern].errors == 1);
  CHECK(s[Operation::get_many].calls == 1);
  CHECK(s[Operation::get_many].errors == 1);
  // A failed lookup is neither a hit nor a miss.
  CHECK(s.hits == 0);
  CHECK(s.misses == 0);
  CHECK(s.cache.total_entries == 7);
}

TEST_CASE("health is the wrapped adapter's") {
  Metered m;
  const HealthReport report = m.cache.health();
  CHECK(report.ok);
  CHECK(report.adapter == "memory");

  MeteredAdapter failing(std::make_shared<FailingAdapter>());
  const HealthReport bad = failing.health();  // the default check asks do_exists
  CHECK_FALSE(bad.ok);
  CHECK(bad.message == "disk gone");
}

TEST_CASE("a null adapter is rejected") {
  CHECK_THROWS_AS(MeteredAdapter(nullptr), std::invalid_argument);
}

TEST_CASE("counts stay exact under concurrent callers") {
  Metered m;
  m.cache.set(key("present"), Value(1));
  constexpr int threads = 4;
  constexpr int per_thread = 5000;
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        (void)m.cache.get(key(i % 2 == 0 ? "present" : "absent"));
        if (i % 100 == 0) m.cache.set(key("t" + std::to_string(t)), Value(i));
      }
    });
  }
  // Snapshots taken while the workers run never go backwards.
  std::uint64_t last = 0;
  for (int i = 0; i < 20; ++i) {
    const std::uint64_t now = m.cache.metrics()[Operation::get].calls;
    CHECK(now >= last);
    last = now;
  }
  for (std::thread& worker : workers) worker.join();

  const MetricsSnapshot s = m.cache.metrics();
  check_consistent(s);
  CHECK(s[Operation::get].calls == threads * per_thread);
  CHECK(s.hits == threads * per_thread / 2);
  CHECK(s.misses == threads * per_thread / 2);
  CHECK(s[Operation::set].calls == 1 + threads * (per_thread / 100));
}
