// The envelope CacheService keeps around values whose freshness it manages.
#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "service/envelope.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using internal::Envelope;

TEST_CASE("an envelope round-trips its times and the wrapped value") {
  const TimePoint now = TimePoint(std::chrono::seconds(1'700'000'000));
  const Envelope envelope{.expires_at = now + 10s,
                          .stale_until = now + 40s,
                          .delta = 1500us,
                          .value = Value(std::string("payload"))};
  const Value wrapped = internal::wrap_envelope(envelope);
  CHECK(internal::is_envelope(wrapped));
  const Envelope back = internal::unwrap_envelope(wrapped);
  CHECK(back.expires_at == envelope.expires_at);
  CHECK(back.stale_until == envelope.stale_until);
  CHECK(back.delta == envelope.delta);
  CHECK(back.value == envelope.value);
  CHECK(back.value.as<std::string>() == "payload");
}

TEST_CASE("a stored expiry is rounded up to whole microseconds, never down") {
  const TimePoint at = TimePoint(std::chrono::seconds(1'700'000'000)) + 1ns;
  const Envelope back = internal::unwrap_envelope(
      internal::wrap_envelope(Envelope{.expires_at = at, .stale_until = at, .delta = {}, .value = 1}));
  CHECK(back.expires_at >= at);
  CHECK(back.expires_at - at < 1us);
}

TEST_CASE("only top-level extensions of type 112 are envelopes") {
  CHECK_FALSE(internal::is_envelope(Value(1)));
  CHECK_FALSE(internal::is_envelope(Value(std::string("\xc7\x01\x70", 3))));  // a string
  CHECK_FALSE(internal::is_envelope(Value(msgpack::type::ext(5, "abcd", 4))));
  CHECK(internal::is_envelope(Value(msgpack::type::ext(112, "a", 1))));        // fixext 1
  CHECK(internal::is_envelope(Value(msgpack::type::ext(112, "abc", 3))));      // ext 8
  CHECK(internal::is_envelope(Value(msgpack::type::ext(112, std::string(300, 'x').data(), 300))));
}

TEST_CASE("a damaged envelope is a CorruptionError") {
  CHECK_THROWS_AS(internal::unwrap_envelope(Value(msgpack::type::ext(112, "abc", 3))),
                  CorruptionError);
  // A valid header followed by no wrapped value.
  msgpack::sbuffer header;
  msgpack::packer<msgpack::sbuffer>(header).pack(std::make_tuple(1, 0, 0, 0));
  CHECK_THROWS_AS(
      internal::unwrap_envelope(Value(msgpack::type::ext(112, header.data(),
                                                         static_cast<std::uint32_t>(header.size())))),
      CorruptionError);
  // An unknown format version.
  msgpack::sbuffer v2;
  msgpack::packer<msgpack::sbuffer>(v2).pack(std::make_tuple(2, 0, 0, 0, 1));
  CHECK_THROWS_AS(internal::unwrap_envelope(Value(msgpack::type::ext(
                      112, v2.data(), static_cast<std::uint32_t>(v2.size())))),
                  CorruptionError);
}
