// One fixture per adapter: the conformance suite is a TEST_CASE_TEMPLATE over these types.
// Each owns a ManualClock so expiry is tested without sleeping.
#pragma once

#include <memory>

#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/metered_adapter.hpp>
#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/temp_dir.hpp"

namespace portico::cache::testing {

struct MemoryFixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<CacheAdapter> cache =
      std::make_unique<MemoryCacheAdapter>(MemoryOptions{.clock = clock});
};

// The metrics decorator must change nothing an adapter does.
struct MeteredMemoryFixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::unique_ptr<CacheAdapter> cache = std::make_unique<MeteredAdapter>(
      std::make_shared<MemoryCacheAdapter>(MemoryOptions{.clock = clock}));
};

struct RocksDBFixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  TempDir dir{"portico-conformance"};
  std::unique_ptr<CacheAdapter> cache = std::make_unique<RocksDBCacheAdapter>(
      dir / "cache", RocksDBOptions{.maintenance_interval = std::nullopt, .clock = clock});
};

}  // namespace portico::cache::testing

#define PORTICO_ADAPTER_FIXTURES \
  portico::cache::testing::MemoryFixture, portico::cache::testing::RocksDBFixture, \
  portico::cache::testing::MeteredMemoryFixture
