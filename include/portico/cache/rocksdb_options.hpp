// RocksDBOptions: how a RocksDBCacheAdapter opens and runs its cache directory.
//
// Kept apart from the adapter (as leveldb keeps options.h apart from db.h), so that the engine
// under lib/rocksdb/ and the tools depend on the options alone, not on the adapter class.
//
// Thread-safety: a plain value type; the adapter copies it at construction.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>

#include <portico/cache/events.hpp>
#include <portico/cache/export.hpp>
#include <portico/cache/time.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

enum class Compression { none, lz4, zstd };

struct RocksDBOptions {
  // fsync every write: survives power loss, not only a crash of the process.
  bool sync_writes = false;
  // How often the maintenance thread removes expired entries, deletes the records of
  // erase_by_tags and flushes access data; nullopt runs no thread (call cleanup_expired() and
  // flush() yourself).
  std::optional<std::chrono::milliseconds> maintenance_interval = std::chrono::seconds(5);
  std::size_t block_cache_bytes = std::size_t{32} << 20;
  Compression compression = Compression::lz4;
  // Opens without taking ownership: reads work, every write throws CacheError.
  bool read_only = false;
  std::shared_ptr<const Clock> clock = system_clock_source();
  // maintenance_failed, on the maintenance thread (see events.hpp).
  EventListener on_event{};
};

PORTICO_CACHE_END_NAMESPACE
