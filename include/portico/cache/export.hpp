// Symbol export and ABI versioning for portico-cache.
//
// The shared library is built with hidden visibility; only declarations marked
// PORTICO_CACHE_API are exported. Everything public lives in the inline namespace
// portico::cache::v1 so that an incompatible ABI can coexist with this one later.
#pragma once

#if defined(_WIN32)
#  if defined(PORTICO_CACHE_BUILDING)
#    define PORTICO_CACHE_API __declspec(dllexport)
#  elif defined(PORTICO_CACHE_SHARED)
#    define PORTICO_CACHE_API __declspec(dllimport)
#  else
#    define PORTICO_CACHE_API
#  endif
#else
#  define PORTICO_CACHE_API __attribute__((visibility("default")))
#endif

#define PORTICO_CACHE_BEGIN_NAMESPACE \
  namespace portico::cache {          \
  inline namespace v1 {
#define PORTICO_CACHE_END_NAMESPACE \
  }                                 \
  }
