#include <portico/cache/entry.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

bool CacheEntry::is_expired() const { return is_expired(std::chrono::system_clock::now()); }

CacheEntry CacheEntry::touch() const { return touch(std::chrono::system_clock::now()); }

CacheEntry CacheEntry::touch(TimePoint now) const {
  CacheEntry touched = *this;
  touched.last_accessed = now;
  touched.hit_count += 1;
  return touched;
}

PORTICO_CACHE_END_NAMESPACE
