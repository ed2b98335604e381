// HealthReport: the answer of `adapter.health()` and `service.health()`.
//
// A health check is a real round trip through the backend (a write and a read of a reserved
// key for RocksDB, PING for Redis, both tiers for hybrid) that finishes in bounded time. It
// never throws for a failing backend: `ok` is false and `message` says why.
//
// Thread-safety: a plain value type.
#pragma once

#include <chrono>
#include <string>

#include <portico/cache/export.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

struct HealthReport {
  bool ok = false;
  std::string adapter{};                 // "rocksdb", "memory", "redis", "hybrid"
  std::chrono::microseconds latency{};   // of the round trip
  std::string message{};                 // empty when ok
};

PORTICO_CACHE_END_NAMESPACE
