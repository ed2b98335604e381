// The envelope CacheService stores around a value whose freshness it manages itself (early
// refresh, stale-while-revalidate).
//
// Adapters hide an entry once its ttl passes, but a stale value must stay readable for the
// grace period after its logical expiry. So such a value is stored with the physical ttl
// ttl + grace, and its logical expiry travels with it in this envelope.
//
// Encoding: one msgpack extension value of type 112 whose payload is the msgpack array
//   [1, expires_at_us, stale_until_us, delta_us]
// (format version, logical expiry and end of the stale grace period as microseconds since the
// Unix epoch, and the duration of the computation that produced the value) followed directly
// by the wrapped value's own msgpack document. Being one msgpack document, an envelope is an
// ordinary Value to every adapter. Type 112 at the top level is reserved for the envelope.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include <portico/cache/time.hpp>
#include <portico/cache/value.hpp>

namespace portico::cache::internal {

inline constexpr std::int8_t kEnvelopeExtType = 112;

struct Envelope {
  TimePoint expires_at{};                 // logical expiry
  TimePoint stale_until{};                // end of the grace period (== expires_at without one)
  std::chrono::microseconds delta{};      // how long computing the value took
  Value value{};
};

// True when `value` is a top-level extension of the envelope's type (cheap: looks at the
// header bytes only).
bool is_envelope(const Value& value);

Value wrap_envelope(const Envelope& envelope);

// REQUIRES: is_envelope(value). Throws CorruptionError when the payload does not decode.
Envelope unwrap_envelope(const Value& value);

}  // namespace portico::cache::internal
