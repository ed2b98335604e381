// RocksDBOptions the tests use: no maintenance thread (tests drive cleanup and flushes
// themselves), optionally on a ManualClock.
#pragma once

#include <memory>

#include <portico/cache/rocksdb_adapter.hpp>

namespace portico::cache::testing {

inline RocksDBOptions without_maintenance(std::shared_ptr<const Clock> clock = system_clock_source()) {
  return RocksDBOptions{.maintenance_interval = std::nullopt, .clock = std::move(clock)};
}

}  // namespace portico::cache::testing
