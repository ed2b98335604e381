#include <doctest/doctest.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "rocksdb/access_buffer.hpp"

using portico::cache::internal::AccessBuffer;
using portico::cache::internal::PendingAccess;

namespace {

std::map<std::string, PendingAccess> drained(AccessBuffer& buffer) {
  std::map<std::string, PendingAccess> out;
  for (auto& [id, access] : buffer.drain()) {
    const bool fresh = out.emplace(id, access).second;
    CHECK_MESSAGE(fresh, "id drained twice: ", id);
  }
  return out;
}

}  // namespace

TEST_CASE("access buffer: hits add up per generation") {
  AccessBuffer buffer;
  CHECK(buffer.record_hit("a", 10, 100) == 1);
  CHECK(buffer.record_hit("a", 10, 90) == 2);  // an earlier clock reading keeps the latest
  CHECK(buffer.record_hit("b", 20, 105) == 1);
  CHECK(buffer.record_hit("a", 10, 110) == 3);
  // A new generation of "a" (it was re-created) starts over.
  CHECK(buffer.record_hit("a", 11, 120) == 1);

  const auto pending = drained(buffer);
  REQUIRE(pending.size() == 2);
  CHECK(pending.at("a").created_ns == 11);
  CHECK(pending.at("a").hits == 1);
  CHECK(pending.at("a").last_accessed_ns == 120);
  CHECK(pending.at("b").hits == 1);
  CHECK(pending.at("b").last_accessed_ns == 105);
  CHECK(buffer.drain().empty());
}

TEST_CASE("access buffer: forget drops an id, and it can come back") {
  AccessBuffer buffer;
  buffer.record_hit("a", 1, 1);
  buffer.record_hit("b", 1, 1);
  buffer.forget("a");
  buffer.forget("never-seen");
  CHECK(drained(buffer).size() == 1);

  buffer.record_hit("a", 1, 1);
  buffer.forget("a");
  CHECK(buffer.record_hit("a", 1, 2) == 1);  // not the count from before forget
  const auto pending = drained(buffer);
  REQUIRE(pending.size() == 1);
  CHECK(pending.at("a").hits == 1);
}

TEST_CASE("access buffer: many ids, tombstones and drains keep every count") {
  AccessBuffer buffer;
  std::map<std::string, std::uint64_t> expected;
  for (int round = 0; round < 3; ++round) {
    expected.clear();
    // Ids sharing long prefixes and of different lengths, as cache ids are.
    for (int i = 0; i < 20'000; ++i) {
      const std::string id = "user:" + std::to_string(i) + std::string(static_cast<std::size_t>(i % 7), 'x');
      const int hits = 1 + i % 3;
      for (int h = 0; h < hits; ++h) buffer.record_hit(id, round, i);
      expected[id] = static_cast<std::uint64_t>(hits);
      if (i % 5 == 0) {  // erased, then sometimes hit again
        buffer.forget(id);
        expected.erase(id);
        if (i % 10 == 0) {
          buffer.record_hit(id, round, i);
          expected[id] = 1;
        }
      }
    }
    const auto pending = drained(buffer);
    REQUIRE(pending.size() == expected.size());
    for (const auto& [id, hits] : expected) {
      CAPTURE(id);
      REQUIRE(pending.count(id) == 1);
      CHECK(pending.at(id).hits == hits);
      CHECK(pending.at(id).created_ns == round);
    }
  }
  buffer.record_hit("after", 1, 1);
  buffer.clear();
  CHECK(buffer.drain().empty());
}

TEST_CASE("access buffer: concurrent hits, forgets and drains lose no hit") {
  AccessBuffer buffer;
  constexpr int kThreads = 4;
  constexpr int kHitsPerThread = 20'000;
  std::thread drainer;
  std::vector<std::vector<std::pair<std::string, PendingAccess>>> drains;
  std::atomic<bool> done{false};
  drainer = std::thread([&] {
    while (!done.load()) drains.push_back(buffer.drain());
  });
  std::vector<std::thread> hitters;
  for (int t = 0; t < kThreads; ++t) {
    hitters.emplace_back([&buffer, t] {
      for (int i = 0; i < kHitsPerThread; ++i) {
        buffer.record_hit("key:" + std::to_string(t) + ":" + std::to_string(i % 500), 1, i);
        if (i % 1000 == 999) buffer.forget("key:other");  // forgets of ids never hit
      }
    });
  }
  for (std::thread& hitter : hitters) hitter.join();
  done = true;
  drainer.join();
  drains.push_back(buffer.drain());
  std::uint64_t hits = 0;
  for (const auto& drain : drains) {
    for (const auto& [id, access] : drain) hits += access.hits;
  }
  CHECK(hits == std::uint64_t{kThreads} * kHitsPerThread);
}
