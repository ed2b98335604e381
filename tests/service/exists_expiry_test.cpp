// CacheService::exists and the logical expiry carried in an envelope: past it, exists is
// false, whatever the options of the service that reads the value.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>

#include <portico/cache/rocksdb_adapter.hpp>
#include <portico/cache/service.hpp>

#include "../support/temp_dir.hpp"
#include "fixtures.hpp"

using namespace portico_test;
using portico::cache::testing::TempDir;

TEST_CASE("exists is false past the logical expiry of a value written with a grace period") {
  auto clock = std::make_shared<ManualClock>();
  const std::shared_ptr<CacheAdapter> adapter = make_adapter(clock);
  CacheService writer(adapter, {.default_ttl = 10s, .clock = clock, .stale_while_revalidate = 30s});
  CacheService reader(adapter, {.default_ttl = 10s, .clock = clock});  // no grace period
  CHECK(writer.get_or_set<int>("k", [] { return 1; }) == 1);

  CHECK(reader.exists("k"));
  clock->advance(11s);
  // Physically the value lives on for its grace period; logically it has expired.
  CHECK(adapter->exists(CacheKey{.key = "k"}));
  CHECK_FALSE(reader.get<int>("k").has_value());
  CHECK_FALSE(reader.exists("k"));
  CHECK_FALSE(writer.exists("k"));
}

TEST_CASE("exists is false past the logical expiry after a reopen without the grace period") {
  TempDir dir("portico-service");
  auto clock = std::make_shared<ManualClock>();
  const auto open = [&] {
    return std::make_shared<RocksDBCacheAdapter>(
        dir / "cache", RocksDBOptions{.maintenance_interval = std::nullopt, .clock = clock});
  };
  {
    CacheService svc(open(), {.default_ttl = 10s, .clock = clock, .stale_while_revalidate = 30s});
    CHECK(svc.get_or_set<int>("k", [] { return 1; }) == 1);
  }
  CacheService svc(open(), {.default_ttl = 10s, .clock = clock});
  CHECK(svc.exists("k"));
  clock->advance(11s);
  CHECK_FALSE(svc.get<int>("k").has_value());
  CHECK_FALSE(svc.exists("k"));
}
