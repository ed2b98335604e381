// Limits: the largest keys, tags and values any adapter accepts.
//
// They are the same on every adapter, so that code moving from one backend to another meets
// no new failure. Every public method of CacheAdapter checks them before anything is written
// and throws std::invalid_argument naming the limit. They are far above what a cache entry
// needs and far below what breaks a backend (RocksDB refuses values of 4 GiB and more, Redis
// strings of more than 512 MiB).
//
// Thread-safety: constants.
#pragma once

#include <cstddef>

#include <portico/cache/export.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

inline constexpr std::size_t kMaxKeyBytes = 8 * 1024;          // CacheKey::key
inline constexpr std::size_t kMaxNamespaceBytes = 1024;        // CacheKey::ns
inline constexpr std::size_t kMaxTagBytes = 1024;              // each tag
inline constexpr std::size_t kMaxTags = 64;                    // tags per entry (or per erase)
inline constexpr std::size_t kMaxValueBytes = 256u << 20;      // a value's msgpack encoding
// Nesting of arrays and maps in a value. Deeper input is std::invalid_argument; deeper stored
// bytes (damage, or a writer that ignored the limit) are CorruptionError.
inline constexpr std::size_t kMaxValueDepth = 256;

PORTICO_CACHE_END_NAMESPACE
