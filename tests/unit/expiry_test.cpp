#include <chrono>
#include <optional>

#include <doctest/doctest.h>

#include "core/expiry.hpp"

namespace {

using portico::cache::TimePoint;
using portico::cache::Ttl;
using portico::cache::detail::expiry_after;
using namespace std::chrono_literals;

TimePoint at_seconds(long long seconds) { return TimePoint(std::chrono::seconds(seconds)); }

}  // namespace

TEST_CASE("expiry_after: no ttl means no expiry") {
  CHECK_FALSE(expiry_after(at_seconds(1'700'000'000), std::nullopt).has_value());
}

TEST_CASE("expiry_after: now plus the ttl") {
  CHECK(expiry_after(at_seconds(1'700'000'000), Ttl(90s)) == at_seconds(1'700'000'090));
  CHECK(expiry_after(at_seconds(-10), Ttl(4s)) == at_seconds(-6));
}

TEST_CASE("expiry_after: saturates at the end of time instead of overflowing") {
  const Ttl longest = std::chrono::duration_cast<Ttl>(TimePoint::duration::max());
  CHECK(expiry_after(at_seconds(0), Ttl::max()) == TimePoint::max());
  CHECK(expiry_after(at_seconds(0), longest) == TimePoint::max());
  CHECK(expiry_after(TimePoint::max() - 1h, Ttl(2h)) == TimePoint::max());
  CHECK(expiry_after(TimePoint::max() - 1h, Ttl(1h)) == TimePoint::max());
  CHECK(expiry_after(TimePoint::max() - 2h, Ttl(1h)) == TimePoint::max() - 1h);
}

TEST_CASE("expiry_after: a clock before the epoch does not overflow") {
  CHECK(expiry_after(TimePoint::min(), Ttl(1s)) == TimePoint::min() + 1s);
  CHECK(expiry_after(TimePoint::min(), Ttl::max()) == TimePoint::max());
}
