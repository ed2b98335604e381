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

inline std::optional<Ttl> ttl(long i) {
  if (i % 4 == 0) return std::chrono::hours(24);
  return std::nullopt;
}

}  // namespace portico::cache::testing::crash
