// CacheEntry: one entry as read back from an adapter.
//
// A returned entry is a snapshot: it owns its data and never refers back into the cache.
//
// Thread-safety: a plain value type.
#pragma once

#include <cstdint>
#include <optional>

#include <portico/cache/export.hpp>
#include <portico/cache/key.hpp>
#include <portico/cache/time.hpp>
#include <portico/cache/value.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

struct PORTICO_CACHE_API CacheEntry {
  CacheKey key{};
  Value value{};
  TimePoint created_at{};
  std::optional<TimePoint> expires_at{};
  std::uint64_t hit_count = 0;
  TimePoint last_accessed{};

  // now > expires_at, by the wall clock.
  bool is_expired() const;
  // now > expires_at, by the given time (adapters pass their own clock's reading).
  bool is_expired(TimePoint now) const { return expires_at && now > *expires_at; }

  // A copy with last_accessed = now and hit_count + 1.
  CacheEntry touch() const;
  CacheEntry touch(TimePoint now) const;

  template <class T>
  T as() const {
    return value.as<T>();
  }
};

PORTICO_CACHE_END_NAMESPACE
