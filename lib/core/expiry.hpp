// When an entry set at `now` with `ttl` expires. Saturates instead of overflowing: a TTL
// beyond the representable range (system_clock time points end in 2262) means "the latest
// representable instant", which no clock reading passes.
#pragma once

#include <optional>

#include <portico/cache/time.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE
namespace detail {

inline std::optional<TimePoint> expiry_after(TimePoint now, std::optional<Ttl> ttl) {
  if (!ttl) return std::nullopt;
  const auto room = TimePoint::max() - now;
  if (*ttl >= std::chrono::duration_cast<Ttl>(room)) return TimePoint::max();
  return now + *ttl;
}

}  // namespace detail
PORTICO_CACHE_END_NAMESPACE
