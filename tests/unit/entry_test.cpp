#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include <portico/cache/entry.hpp>

using portico::cache::CacheEntry;
using portico::cache::CacheKey;
using portico::cache::TimePoint;
using portico::cache::Value;
using namespace std::chrono_literals;

namespace {

CacheEntry sample_entry() {
  const TimePoint created = std::chrono::system_clock::now() - 10min;
  return CacheEntry{.key = CacheKey{.key = "k", .ns = "n", .tags = {"t"}},
                    .value = Value(std::string("v")),
                    .created_at = created,
                    .expires_at = std::nullopt,
                    .hit_count = 3,
                    .last_accessed = created + 1min};
}

}  // namespace

TEST_CASE("an entry without an expiry never expires") {
  const CacheEntry entry = sample_entry();
  CHECK_FALSE(entry.is_expired());
  CHECK_FALSE(entry.is_expired(TimePoint::max()));
}

TEST_CASE("an entry is expired once the clock passes its expiry, not at it") {
  CacheEntry entry = sample_entry();
  const TimePoint at = TimePoint(std::chrono::seconds(1'700'000'000));
  entry.expires_at = at;
  CHECK_FALSE(entry.is_expired(at - 1us));
  CHECK_FALSE(entry.is_expired(at));
  CHECK(entry.is_expired(at + 1us));
}

TEST_CASE("is_expired() reads the wall clock") {
  CacheEntry entry = sample_entry();
  entry.expires_at = std::chrono::system_clock::now() - 1min;
  CHECK(entry.is_expired());
  entry.expires_at = std::chrono::system_clock::now() + 1h;
  CHECK_FALSE(entry.is_expired());
}

TEST_CASE("touch returns a copy with one more hit and the new access time") {
  const CacheEntry entry = sample_entry();
  const TimePoint now = entry.last_accessed + 5min;
  const CacheEntry touched = entry.touch(now);
  CHECK(touched.hit_count == entry.hit_count + 1);
  CHECK(touched.last_accessed == now);
  // Everything else is copied, and the original is unchanged.
  CHECK(touched.key == entry.key);
  CHECK(touched.key.tags == entry.key.tags);
  CHECK(touched.value == entry.value);
  CHECK(touched.created_at == entry.created_at);
  CHECK(touched.expires_at == entry.expires_at);
  CHECK(entry.hit_count == 3);
  CHECK(entry.last_accessed == entry.created_at + 1min);
  // Touching twice counts twice.
  CHECK(touched.touch(now).hit_count == entry.hit_count + 2);
}

TEST_CASE("touch() stamps the wall clock's reading") {
  const CacheEntry entry = sample_entry();
  const TimePoint before = std::chrono::system_clock::now();
  const CacheEntry touched = entry.touch();
  const TimePoint after = std::chrono::system_clock::now();
  CHECK(touched.hit_count == entry.hit_count + 1);
  CHECK(touched.last_accessed >= before);
  CHECK(touched.last_accessed <= after);
}
