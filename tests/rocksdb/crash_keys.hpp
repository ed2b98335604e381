// The keys, values and ttls the crash writer uses, shared with the test that checks them.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <portico/cache/key.hpp>
#include <portico/cache/time.hpp>

namespace portico::cache::testing::crash {

inline CacheKey key(long i) {
  return CacheKey{.key = "k" + std::to_string(i),
                  .ns = "n" + std::to_string(i % 3),
                  .tags = {"g" + std::to_string(i % 5), "all"}};
}

inline std::string value(long i) { return std::to_string(i) + std::string(300, 'v'); }

// A quarter of the keys expire at once: the writer's maintenance settles them (cleanup) while
// it is killed, so the count must survive crashes in the middle of settlements too.
inline bool expires_at_once(long i) { return i % 4 == 1; }

inline std::optional<Ttl> ttl(long i) {
  if (i % 4 == 0) return std::chrono::hours(24);
  if (expires_at_once(i)) return std::chrono::microseconds(1);
  return std::nullopt;
}

}  // namespace portico::cache::testing::crash
