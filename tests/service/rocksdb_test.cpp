// The service layer on RocksDBCacheAdapter: open_cache("rocksdb://..."), get_or_set and the
// envelope across a reopen.
#include <doctest/doctest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <latch>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <portico/cache/cached.hpp>
#include <portico/cache/errors.hpp>
#include <portico/cache/open_cache.hpp>
#include <portico/cache/rocksdb_adapter.hpp>
#include <portico/cache/service.hpp>

#include "../support/temp_dir.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico::cache::testing::TempDir;

namespace {

// Runs the test body in `dir` as the current directory, restoring it afterwards.
class CurrentDirectory {
 public:
  explicit CurrentDirectory(const std::filesystem::path& dir)
      : previous_(std::filesystem::current_path()) {
    std::filesystem::current_path(dir);
  }
  ~CurrentDirectory() { std::filesystem::current_path(previous_); }
  CurrentDirectory(const CurrentDirectory&) = delete;
  CurrentDirectory& operator=(const CurrentDirectory&) = delete;

 private:
  std::filesystem::path previous_;
};

}  // namespace

TEST_CASE("open_cache(rocksdb:///absolute/path) opens a RocksDBCacheAdapter there") {
  TempDir dir("portico-service");
  const std::filesystem::path path = dir / "nested dir" / "cache";
  const std::string url = "rocksdb://" + dir.path().string() +
                          "/nested%20dir/cache?sync=1&block_cache=1048576&compression=zstd";
  {
    std::shared_ptr<CacheAdapter> cache = open_cache(url);
    auto* adapter = dynamic_cast<RocksDBCacheAdapter*>(cache.get());
    REQUIRE(adapter != nullptr);
    CHECK(adapter->directory() == path);
    cache->set(CacheKey{.key = "k", .ns = "app"}, std::string("durable"));
    // One directory, one open adapter.
    CHECK_THROWS_AS(open_cache(url), CacheError);
  }
  CHECK(std::filesystem::is_directory(path));
  std::shared_ptr<CacheAdapter> reopened = open_cache("rocksdb://" + path.string());
  const auto entry = reopened->get(CacheKey{.key = "k", .ns = "app"});
  REQUIRE(entry.has_value());
  CHECK(entry->as<std::string>() == "durable");
}

TEST_CASE("open_cache(rocksdb://relative/path) is relative to the current directory") {
  TempDir dir("portico-service");
  CurrentDirectory cd(dir.path());
  std::shared_ptr<CacheAdapter> cache = open_cache("rocksdb://./var/cache");
  auto* adapter = dynamic_cast<RocksDBCacheAdapter*>(cache.get());
  REQUIRE(adapter != nullptr);
  CHECK(adapter->directory().is_absolute());
  CHECK(std::filesystem::equivalent(adapter->directory(), dir / "var" / "cache"));
  cache.reset();
  CHECK(std::filesystem::is_directory(dir / "var" / "cache"));
  CHECK(dynamic_cast<RocksDBCacheAdapter*>(open_cache("rocksdb://var/cache").get()) != nullptr);
}

TEST_CASE("open_cache(rocksdb://...?read_only=1) refuses writes") {
  TempDir dir("portico-service");
  const std::string path = (dir / "cache").string();
  open_cache("rocksdb://" + path)->set(CacheKey{.key = "k"}, 1);
  std::shared_ptr<CacheAdapter> reader = open_cache("rocksdb://" + path + "?read_only=1");
  CHECK(reader->get(CacheKey{.key = "k"})->as<int>() == 1);
  CHECK_THROWS_AS(reader->set(CacheKey{.key = "k"}, 2), CacheError);
}

TEST_CASE("CacheService on RocksDB: single-flight, memoised results, envelope after reopen") {
  TempDir dir("portico-service");
  auto clock = std::make_shared<ManualClock>();
  auto open = [&] {
    return std::make_shared<RocksDBCacheAdapter>(
        dir / "cache", RocksDBOptions{.maintenance_interval = std::nullopt, .clock = clock});
  };
  const ServiceOptions options{.default_ttl = 10s,
                               .default_namespace = "app",
                               .clock = clock,
                               .early_refresh_beta = 1.0,
                               .stale_while_revalidate = 30s,
                               .random = [] { return 1.0; }};
  {
    CacheService svc(open(), options);
    constexpr int kThreads = 16;
    constexpr int kKeys = 3;
    std::array<std::atomic<int>, kKeys> calls{};
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        start.arrive_and_wait();
        for (int round = 0; round < 50; ++round) {
          const int key = (t + round) % kKeys;
          svc.get_or_set<int>("key" + std::to_string(key), [&calls, key] {
            calls[key].fetch_add(1);
            return key;
          });
        }
      });
    }
    for (std::thread& thread : threads) thread.join();
    for (int key = 0; key < kKeys; ++key) CHECK(calls[key].load() == 1);

    int profile_calls = 0;
    auto profile = cached(svc, "profile", [&](int id) {
      ++profile_calls;
      return "user" + std::to_string(id);
    });
    CHECK(profile(1) == "user1");
    CHECK(profile(1) == "user1");
    CHECK(profile_calls == 1);
    CHECK(svc.invalidate_pattern("app:profile:*") == 1);
  }
  // Reopened: the enveloped values are still read as plain values, then go stale.
  CacheService svc(open(), options);
  CHECK(svc.get<int>("key2") == 2);
  clock->advance(11s);
  CHECK_FALSE(svc.get<int>("key2").has_value());
  CHECK(svc.get_or_set<int>("key2", [] { return 20; }) == 2);  // stale, refreshing
  const auto refreshed = [&] { return svc.get<int>("key2") == 20; };
  for (int i = 0; i < 30000 && !refreshed(); ++i) std::this_thread::sleep_for(1ms);
  CHECK(refreshed());
}
