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
  using Duration = TimePoint::duration;
  constexpr Ttl longest = std::chrono::duration_cast<Ttl>(Duration::max());
  if (*ttl >= longest) return TimePoint::max();
  // Compared as `now > max - offset` (offset is not negative) rather than `offset > max - now`,
  // which would overflow for a clock set before the epoch.
  const auto offset = std::chrono::duration_cast<Duration>(*ttl);
  if (now > TimePoint::max() - offset) return TimePoint::max();
  return now + offset;
}

}  // namespace detail
PORTICO_CACHE_END_NAMESPACE
