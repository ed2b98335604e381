// flush-probe: what the RocksDB adapter's access flush costs the writers that run beside it.
//
// The flush rewrites the record of every entry hit since the previous one. Each round hits
// --hits random entries of a cache of --entries, starts flush() on a second thread and
// overwrites random entries on this one until the flush returns; then it overwrites as many
// entries again with no flush running. Both sets of latencies are printed, with the flush's
// duration. Used to choose how the flush holds the entries' locks and how large its batches are
// (bench/RESULTS.md).
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "harness.hpp"
#include "workload.hpp"
#include "portico/cache/rocksdb_adapter.hpp"

namespace {

using portico::bench::Clock;
using portico::bench::Rng;
using portico::bench::Run;
using portico::cache::CacheItem;
using portico::cache::CacheKey;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::RocksDBOptions;
using portico::cache::Value;

struct Config {
  std::uint64_t entries = 1'000'000;
  std::uint64_t hits = 400'000;
  unsigned rounds = 3;
  std::string dir = std::filesystem::temp_directory_path() / "portico-flush-probe";
};

CacheKey key_of(std::uint64_t i) {
  return CacheKey{.key = portico::bench::make_key("key:", i, 21)};
}

// One overwrite of a random entry, timed into `run`.
void timed_set(RocksDBCacheAdapter& cache, Rng& rng, const Config& config, const Value& value,
               Run& run) {
  const CacheKey key = key_of(rng.below(config.entries));
  const auto begin = Clock::now();
  cache.set(key, value);
  const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - begin);
  run.latencies_ns.push_back(static_cast<std::uint64_t>(took.count()));
  run.thread_busy_ns[0] += static_cast<std::uint64_t>(took.count());
  run.thread_ops[0] += 1;
}

void print(const char* what, Run run) {
  const portico::bench::Summary summary = portico::bench::summarize({std::move(run)});
  fmt::print("  {:<20} {:>8} sets  p50 {:>8} us  p99 {:>8} us  p999 {:>8} us\n", what,
             summary.ops, portico::bench::format_us(summary.p50_us),
             portico::bench::format_us(summary.p99_us), portico::bench::format_us(summary.p999_us));
}

int run(const Config& config) {
  std::filesystem::remove_all(config.dir);
  RocksDBCacheAdapter cache(config.dir, RocksDBOptions{.maintenance_interval = std::nullopt});
  const Value value(portico::bench::make_value(1, 100));
  for (std::uint64_t begin = 0; begin < config.entries; begin += 1000) {
    std::vector<CacheItem> items;
    for (std::uint64_t i = begin; i < std::min(config.entries, begin + 1000); ++i) {
      items.push_back(CacheItem{.key = key_of(i), .value = value});
    }
    cache.set_many(std::move(items));
  }
  cache.compact();

  Rng rng(7);
  for (unsigned round = 0; round < config.rounds; ++round) {
    for (std::uint64_t i = 0; i < config.hits; ++i) cache.get(key_of(rng.below(config.entries)));
    std::atomic<bool> flushed{false};
    const auto flush_begin = Clock::now();
    std::chrono::duration<double> flush_took{};
    std::thread flusher([&] {
      cache.flush();
      flush_took = Clock::now() - flush_begin;
      flushed = true;
    });
    Run during{.thread_ops = {0}, .thread_busy_ns = {0}};
    while (!flushed.load()) timed_set(cache, rng, config, value, during);
    flusher.join();
    Run quiet{.thread_ops = {0}, .thread_busy_ns = {0}};
    while (quiet.thread_ops[0] < during.thread_ops[0]) timed_set(cache, rng, config, value, quiet);
    fmt::print("round {}: the flush of {} hit entries took {:.2f} s\n", round + 1, config.hits,
               flush_took.count());
    print("during the flush", std::move(during));
    print("no flush running", std::move(quiet));
  }
  std::filesystem::remove_all(config.dir);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  CLI::App app("flush-probe: overwrite latencies of the RocksDB adapter during its access flush");
  app.add_option("--entries", config.entries, "entries in the cache")
      ->check(CLI::Range(1000, 100'000'000));
  app.add_option("--hits", config.hits, "entries hit before each flush")
      ->check(CLI::PositiveNumber);
  app.add_option("--rounds", config.rounds, "flushes measured")->check(CLI::Range(1, 100));
  app.add_option("--dir", config.dir, "the cache directory (created, then removed)");
  CLI11_PARSE(app, argc, argv);
  return run(config);
}
