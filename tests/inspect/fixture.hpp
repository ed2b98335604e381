// The fixture cache the cache-inspect tests run against, shared by the fixture builder (which
// writes it with the library) and the tests (which check what the tool reports about it).
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <portico/cache/key.hpp>
#include <portico/cache/value.hpp>

namespace portico::cache::testing {

struct FixtureEntry {
  CacheKey key;
  Value value;
  std::optional<std::chrono::hours> ttl;
  bool expired = false;  // written with a clock two hours behind, so already expired
};

inline constexpr int kUsers = 20;       // app:user:0..19, tags users + even/odd, ttl 1h
inline constexpr int kSessions = 5;     // sessions:s0..s4, tag session, expired
inline constexpr std::uint64_t kHits = 4;    // user:0 three times, user:1 once
inline constexpr std::uint64_t kMisses = 2;  // two gets of an absent key

inline std::vector<FixtureEntry> fixture_entries() {
  using std::chrono::hours;
  std::vector<FixtureEntry> entries;
  for (int i = 0; i < kUsers; ++i) {
    entries.push_back({.key = {.key = "user:" + std::to_string(i),
                               .ns = "app",
                               .tags = {"users", i % 2 == 0 ? "even" : "odd"}},
                       .value = std::map<std::string, std::string>{{"name", "user " + std::to_string(i)},
                                                                    {"role", i == 0 ? "admin" : "member"}},
                       .ttl = hours(1)});
  }
  for (int i = 0; i < kSessions; ++i) {
    entries.push_back({.key = {.key = "s" + std::to_string(i), .ns = "sessions", .tags = {"session"}},
                       .value = std::string("token-") + std::to_string(i),
                       .ttl = hours(1),
                       .expired = true});
  }
  // Values of every msgpack shape, without a namespace.
  const std::vector<char> blob = {'\0', '\x01', '\xff', 'b', 'i', 'n'};
  const char ext_data[] = {'x', 'y', 'z'};
  const auto plain = [&](std::string key, Value value) {
    entries.push_back({.key = {.key = std::move(key)}, .value = std::move(value), .ttl = hours(2)});
  };
  plain("config", std::string("dark-mode"));
  plain("counter", 42);
  plain("pi", 3.25);
  plain("blob", blob);
  plain("float32", 1.5f);
  plain("intmap", std::map<int, std::string>{{1, "one"}, {2, "two"}});
  plain("nested", std::vector<std::vector<int>>{{1, 2}, {3}});
  plain("nil", msgpack::type::nil_t());
  plain("ext", msgpack::type::ext(5, ext_data, sizeof ext_data));
  plain("big", std::numeric_limits<std::uint64_t>::max());
  plain("neg", -12345);
  plain("utf8", std::string("h\xc3\xa9llo \xe2\x9c\x93"));
  plain("badutf8", std::string("\xff\xfe"));
  // Three distinct entries with the full key "a:b:c".
  entries.push_back({.key = {.key = "c", .ns = "a:b"}, .value = std::string("ns a:b"), .ttl = hours(1)});
  entries.push_back({.key = {.key = "b:c", .ns = "a"}, .value = std::string("ns a"), .ttl = hours(1)});
  entries.push_back({.key = {.key = "a:b:c"}, .value = std::string("no ns"), .ttl = hours(1)});
  // One that never expires.
  entries.push_back({.key = {.key = "forever", .tags = {"pinned"}}, .value = true, .ttl = std::nullopt});
  return entries;
}

inline std::size_t fixture_total() { return fixture_entries().size(); }
inline std::size_t fixture_live() { return fixture_total() - kSessions; }

// The entry whose tag index entry `plant` deletes; plant also adds 2 to the entry count.
inline CacheKey planted_key() { return CacheKey{.key = "user:3", .ns = "app"}; }

}  // namespace portico::cache::testing
