// The backend options open_cache derives from a URL; apart from opening, for testing.
#pragma once

#include <filesystem>

#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/rocksdb_adapter.hpp>

#include "service/url.hpp"

namespace portico::cache::internal {

// REQUIRES: url.scheme == "memory".
MemoryOptions memory_options_from(const CacheUrl& url);

struct RocksDBTarget {
  std::filesystem::path directory;  // absolute
  RocksDBOptions options;
};
// REQUIRES: url.scheme == "rocksdb".
RocksDBTarget rocksdb_target_from(const CacheUrl& url);

}  // namespace portico::cache::internal
