// The exception hierarchy of portico-cache.
//
// Every failure of the library is an exception rooted at CacheError, except bad arguments,
// which are std::invalid_argument (a bug in the caller, not a fault of the cache). A miss is
// never an exception: it is std::nullopt.
//
// Thread-safety: exception objects are immutable values.
#pragma once

#include <stdexcept>
#include <string>

#include <portico/cache/export.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

// Root of every error the cache itself reports.
class PORTICO_CACHE_API CacheError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A backend could not be reached or the connection was lost (Redis, a locked directory).
class PORTICO_CACHE_API ConnectionError : public CacheError {
 public:
  using CacheError::CacheError;
};

// Stored bytes could not be decoded: the data on disk or on the wire is damaged.
class PORTICO_CACHE_API CorruptionError : public CacheError {
 public:
  using CacheError::CacheError;
};

// The operating system or the storage engine failed to read or write.
class PORTICO_CACHE_API IoError : public CacheError {
 public:
  using CacheError::CacheError;
};

// A stored value does not convert to the requested C++ type.
class PORTICO_CACHE_API TypeError : public CacheError {
 public:
  using CacheError::CacheError;
};

PORTICO_CACHE_END_NAMESPACE
