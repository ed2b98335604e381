// open_cache: an adapter from a URL, for configuration files and command lines.
//
//   memory://                                  an unbounded MemoryCacheAdapter
//   memory://?max_size=1000&max_memory=67108864&eviction=lfu&compression=1&compression_threshold=512
//   rocksdb:///var/cache/app                   absolute path
//   rocksdb://./var/cache                      relative to the current directory at open time
//   rocksdb:///var/cache/app?sync=1&read_only=0&block_cache=33554432&compression=zstd
//
// Everything between "://" and '?' is the location: nothing for memory://, the directory for
// rocksdb:// (absolute when it starts with '/', otherwise relative to the current directory).
// Percent escapes are decoded in the location and in parameter values ("%20" is a space;
// '+' stays '+'). Sizes are whole numbers of entries or bytes.
//
// memory:  max_size (entries, > 0), max_memory (bytes, > 0), eviction (lru | lfu),
//          compression (1 | 0 | true | false), compression_threshold (bytes, >= 0)
// rocksdb: sync (bool: fsync every write), read_only (bool), block_cache (bytes, > 0),
//          compression (none | lz4 | zstd)
//
// Errors: an unknown scheme or parameter, a malformed or repeated parameter, a bad value (not
// a number, 0 where a positive number is needed, an unknown choice) or a malformed URL is
// std::invalid_argument. redis://, rediss://, hybrid:// and hybrid+...:// name backends that
// are not built into this build: CacheError. Opening the backend may throw its own errors
// (e.g. CacheError for a RocksDB directory that is in use).
//
// Thread-safety: may be called concurrently.
#pragma once

#include <memory>
#include <string_view>

#include <portico/cache/adapter.hpp>
#include <portico/cache/export.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

PORTICO_CACHE_API std::shared_ptr<CacheAdapter> open_cache(std::string_view url);

PORTICO_CACHE_END_NAMESPACE
