// The keys, values and ttls the crash writer uses, shared with the test that checks them.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <portico/cache/key.hpp>
#include <portico/cache/time.hpp>

namespace portico::cache::testing::crash {

// Every 40 sets the writer erases one batch tag: the keys of that batch set with it.
inline constexpr long kTagBatch = 40;
inline bool in_tag_batch(long i) { return i % 8 == 3; }  // never expiring, never erased alone
inline std::string batch_tag(long batch) { return "r" + std::to_string(batch); }

inline CacheKey key(long i) {
  CacheKey key{.key = "k" + std::to_string(i),
               .ns = "n" + std::to_string(i % 3),
               .tags = {"g" + std::to_string(i % 5), "all"}};
  if (in_tag_batch(i)) key.tags.push_back(batch_tag(i / kTagBatch));
  return key;
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
