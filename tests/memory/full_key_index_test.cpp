// The full_key index and the prefix scans of erase_by_pattern / erase_by_regex built on it.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/pattern.hpp>

#include "memory/full_key_index.hpp"
#include "memory/shard.hpp"

using namespace portico::cache;
using namespace portico::cache::internal;

namespace {

std::string full_key_of(const IdentityView& identity) {
  std::string full_key;
  if (identity.ns) full_key.append(*identity.ns).push_back(':');
  return full_key.append(identity.key);
}

// Bytes that stress the ordering: the separator, NUL, bytes above 0x7f (which must sort as
// unsigned), and runs long enough that many full_keys share more than the 23 bytes a slot
// keeps inline.
std::string random_text(std::mt19937& random) {
  static const std::vector<std::string> pieces = {
      "a", "b", ":", std::string(1, '\0'), "\x7f", "\x80", "\xff", "abcdefghijklmnopqrstuvwxyz"};
  std::uniform_int_distribution<std::size_t> count(1, 5);
  std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1);
  std::string text;
  for (std::size_t n = count(random); n > 0; --n) text += pieces[piece(random)];
  return text;
}

EntryIdentity random_identity(std::mt19937& random) {
  EntryIdentity identity{.key = random_text(random)};
  if (random() % 2 == 0) identity.ns = random_text(random);
  return identity;
}

// Entries for the index alone, at stable addresses.
struct Nodes {
  std::deque<EntryIdentity> identities;
  std::deque<EntryNode> nodes;

  EntryNode& add(EntryIdentity identity) {
    identities.push_back(std::move(identity));
    nodes.push_back(EntryNode{.identity = IdentityView(identities.back())});
    return nodes.back();
  }
};

// What for_each_with_prefix must visit, from a plain multimap of full_keys.
std::vector<const EntryNode*> expected_range(const std::multimap<std::string, EntryNode*>& oracle,
                                             const std::string& prefix) {
  std::vector<const EntryNode*> range;
  for (auto it = oracle.lower_bound(prefix); it != oracle.end() && it->first.starts_with(prefix);
       ++it) {
    range.push_back(it->second);
  }
  return range;
}

void check_prefix(const FullKeyIndex& index, const std::multimap<std::string, EntryNode*>& oracle,
                  const std::string& prefix) {
  std::vector<const EntryNode*> visited;
  std::optional<std::string> previous;
  bool ordered = true;
  index.for_each_with_prefix(prefix, [&](EntryNode& node) {
    const std::string full_key = full_key_of(node.identity);
    if (previous && full_key < *previous) ordered = false;
    previous = full_key;
    visited.push_back(&node);
  });
  CHECK(ordered);
  std::vector<const EntryNode*> expected = expected_range(oracle, prefix);
  // Equal full_keys may come in any order.
  std::sort(visited.begin(), visited.end());
  std::sort(expected.begin(), expected.end());
  CHECK(visited == expected);
}

PreparedEntry prepared(EntryIdentity identity, TimePoint now,
                       std::optional<TimePoint> expires_at = std::nullopt) {
  return PreparedEntry{.identity = std::move(identity),
                       .value = StoredValue(Value(1)),
                       .created_at = now,
                       .expires_at = expires_at};
}

}  // namespace

TEST_CASE("FullKeyIndex: ranges by prefix match a sorted list of full_keys") {
  std::mt19937 random(20240611);
  std::size_t allocated = 0;
  Nodes nodes;
  std::multimap<std::string, EntryNode*> oracle;
  {
    FullKeyIndex index(allocated);
    std::vector<EntryNode*> stored;
    for (int round = 0; round < 4; ++round) {
      for (int i = 0; i < 2000; ++i) {
        EntryNode& node = nodes.add(random_identity(random));
        index.insert(node);
        oracle.emplace(full_key_of(node.identity), &node);
        stored.push_back(&node);
      }
      // Erase a third, at random.
      std::shuffle(stored.begin(), stored.end(), random);
      const std::size_t keep = stored.size() * 2 / 3;
      for (std::size_t i = keep; i < stored.size(); ++i) {
        EntryNode* node = stored[i];
        index.erase(*node);
        const auto [first, last] = oracle.equal_range(full_key_of(node->identity));
        oracle.erase(std::find_if(first, last, [&](const auto& item) { return item.second == node; }));
      }
      stored.resize(keep);
      REQUIRE(index.size() == oracle.size());

      check_prefix(index, oracle, "");
      for (int probe = 0; probe < 200; ++probe) {
        // Prefixes of stored full_keys, cut anywhere, and arbitrary text.
        const std::string full_key = full_key_of(stored[random() % stored.size()]->identity);
        check_prefix(index, oracle, full_key.substr(0, random() % (full_key.size() + 1)));
        check_prefix(index, oracle, random_text(random));
      }
    }
    for (EntryNode* node : stored) index.erase(*node);
    CHECK(index.empty());
    CHECK(allocated == 0);  // an empty index holds no memory
  }
  CHECK(allocated == 0);
}

TEST_CASE("FullKeyIndex: equal full_keys of distinct entries are all kept and told apart") {
  std::size_t allocated = 0;
  Nodes nodes;
  FullKeyIndex index(allocated);
  // Enough equal full_keys to span several blocks.
  std::vector<EntryNode*> equal;
  for (std::size_t i = 0; i < 3 * FullKeyIndex::block_slots; ++i) {
    switch (i % 3) {
      case 0: equal.push_back(&nodes.add({.key = "c", .ns = "a:b"})); break;
      case 1: equal.push_back(&nodes.add({.key = "b:c", .ns = "a"})); break;
      default: equal.push_back(&nodes.add({.key = "a:b:c"})); break;
    }
    index.insert(*equal.back());
  }
  EntryNode& before = nodes.add({.key = "a:b:b"});
  EntryNode& after = nodes.add({.key = "a:b:c:d"});
  index.insert(before);
  index.insert(after);

  std::size_t visited = 0;
  index.for_each_with_prefix("a:b:c", [&](EntryNode&) { ++visited; });
  CHECK(visited == equal.size() + 1);

  // Erasing one of the equals removes that one, wherever it sits among them.
  std::mt19937 random(5);
  std::shuffle(equal.begin(), equal.end(), random);
  while (!equal.empty()) {
    index.erase(*equal.back());
    equal.pop_back();
    std::set<const EntryNode*> left;
    index.for_each_with_prefix("a:b:c", [&](EntryNode& node) { left.insert(&node); });
    CHECK(left.size() == equal.size() + 1);
    CHECK(std::all_of(equal.begin(), equal.end(),
                      [&](const EntryNode* node) { return left.contains(node); }));
  }
  CHECK(index.size() == 2);
}

TEST_CASE("FullKeyIndex: memory is counted, and given back by erase, clear and shrink_to_fit") {
  std::size_t allocated = 0;
  Nodes nodes;
  FullKeyIndex index(allocated);
  std::vector<EntryNode*> stored;
  for (int i = 0; i < 10'000; ++i) {
    stored.push_back(&nodes.add({.key = "key:" + std::to_string(i * 7919 % 10'007)}));
    index.insert(*stored.back());
  }
  const std::size_t full = allocated;
  CHECK(full >= 10'000 * 32);  // at least one 32-byte slot per entry

  // Erasing most entries gives back the room of the blocks they leave sparse or empty.
  for (std::size_t i = 0; i < stored.size(); ++i) {
    if (i % 100 != 0) index.erase(*stored[i]);
  }
  CHECK(index.size() == 100);
  CHECK(allocated < full / 4);
  index.shrink_to_fit();
  CHECK(allocated < full / 16);

  index.clear();
  CHECK(index.empty());
  CHECK(allocated == 0);
  index.shrink_to_fit();
  CHECK(allocated == 0);
}

TEST_CASE("erase_matching tests only the entries in the literal prefix's range") {
  const TimePoint now = std::chrono::system_clock::now();
  EventSink events;
  Shard shard(ShardBounds{}, EvictionPolicy::lru, events);

  // 100,000 entries: 1,000 under "user:42:", spread over the three ways of spelling a
  // full_key with a namespace; neighbours on both sides of that range; the rest elsewhere.
  std::size_t in_range = 0;
  std::size_t expired_in_range = 0;
  for (int i = 0; i < 1000; ++i) {
    EntryIdentity identity;
    switch (i % 3) {
      case 0: identity = {.key = "user:42:" + std::to_string(i)}; break;
      case 1: identity = {.key = "42:" + std::to_string(i), .ns = "user"}; break;
      default: identity = {.key = std::to_string(i), .ns = "user:42"}; break;
    }
    // A few have expired: they go too, but are not counted.
    const bool expired = i % 100 == 0;
    shard.set(prepared(std::move(identity), now - std::chrono::hours(1),
                       expired ? std::optional(now - std::chrono::minutes(1)) : std::nullopt));
    ++in_range;
    expired_in_range += expired ? 1 : 0;
  }
  for (int i = 0; i < 500; ++i) {
    shard.set(prepared({.key = "user:41:" + std::to_string(i)}, now));
    shard.set(prepared({.key = "420:" + std::to_string(i), .ns = "user"}, now));  // "user:420:"
  }
  for (int i = 0; shard.stats().entries < 100'000; ++i) {
    shard.set(prepared({.key = "item:" + std::to_string(i)}, now));
  }
  REQUIRE(shard.stats().entries == 100'000);

  const KeyPattern glob = KeyPattern::glob("user:42:*");
  REQUIRE(glob.literal_prefix() == "user:42:");
  CHECK(shard.erase_matching(glob, now) == in_range - expired_in_range);
  CHECK(shard.pattern_tests() == in_range);
  CHECK(shard.stats().entries == 100'000 - in_range);

  // The range is empty now: nothing is tested.
  CHECK(shard.erase_matching(KeyPattern::glob("user:42:1*"), now) == 0);
  CHECK(shard.pattern_tests() == in_range);

  // A regex's prefix narrows the scan the same way; only some of the range match.
  const KeyPattern regex = KeyPattern::regex("user:41:[0-9]*7");
  REQUIRE(regex.literal_prefix() == "user:41:");
  CHECK(shard.erase_matching(regex, now) == 50);
  CHECK(shard.pattern_tests() == in_range + 500);

  // Without a literal prefix, every entry is tested.
  const std::size_t before = shard.pattern_tests();
  const std::uint64_t entries = shard.stats().entries;
  CHECK(shard.erase_matching(KeyPattern::glob("*:none"), now) == 0);
  CHECK(shard.pattern_tests() == before + entries);
}

TEST_CASE("erase_matching keeps the full_key index in step with every other way out") {
  const TimePoint now = std::chrono::system_clock::now();
  // Room for 50 entries: storing more evicts.
  EventSink events;
  Shard shard(ShardBounds{.max_entries = 50}, EvictionPolicy::lfu, events);
  for (int i = 0; i < 80; ++i) {
    shard.set(prepared({.key = "k" + std::to_string(i), .ns = "n"}, now,
                       i % 4 == 0 ? std::optional(now + std::chrono::seconds(1)) : std::nullopt));
  }
  // Overwrites, erases, a namespace erase, expiry and cleanup, then a clear: after each, a
  // pattern over everything tests exactly the entries still stored.
  const auto tests_all = [&] {
    const std::uint64_t before = shard.pattern_tests();
    const std::uint64_t entries = shard.stats().entries;
    CHECK(shard.erase_matching(KeyPattern::glob("nothing*"), now) == 0);
    CHECK(shard.erase_matching(KeyPattern::glob("*nothing"), now) == 0);
    CHECK(shard.pattern_tests() == before + entries);
  };
  tests_all();
  for (int i = 60; i < 70; ++i) shard.set(prepared({.key = "k" + std::to_string(i), .ns = "n"}, now));
  tests_all();
  CHECK(shard.erase({"k75", "n"}, now));
  tests_all();
  const TimePoint later = now + std::chrono::seconds(2);
  CHECK(shard.cleanup_expired(later) > 0);
  tests_all();
  CHECK(shard.erase_namespace("n", later) > 0);
  CHECK(shard.stats().entries == 0);
  tests_all();
  for (int i = 0; i < 20; ++i) shard.set(prepared({.key = "x" + std::to_string(i)}, now));
  shard.clear();
  tests_all();
  shard.set(prepared({.key = "x"}, now));
  CHECK(shard.erase_matching(KeyPattern::glob("x"), now) == 1);
}

TEST_CASE("erase_by_pattern and erase_by_regex remove what testing every entry would") {
  auto clock = std::make_shared<ManualClock>();
  std::mt19937 random(99);
  std::vector<EntryIdentity> identities;
  std::set<std::pair<std::string, std::optional<std::string>>> seen;
  while (identities.size() < 3000) {
    EntryIdentity identity = random_identity(random);
    if (seen.emplace(identity.key, identity.ns).second) identities.push_back(std::move(identity));
  }

  const std::vector<std::pair<bool, std::string>> patterns = {
      {true, "*"},         {true, "a*"},       {true, "a:*"},         {true, "a:b*"},
      {true, "ab*"},       {true, "\xff*"},    {true, "\x80:*"},      {true, "*b"},
      {true, "a?b*"},      {true, "[ab]:*"},   {true, "abcdefghijklmnopqrstuvwxyza*"},
      {true, std::string("a\0*", 3)},          {false, "a:.*"},       {false, "(a|b):b.*"},
      {false, "abcdefghijklmnopqrstuvwxyz:.*"}, {false, "(?i)A.*"},  {false, "\\xff.*b"},
  };
  for (const auto& [is_glob, source] : patterns) {
    CAPTURE(source);
    MemoryCacheAdapter cache(MemoryOptions{.clock = clock});
    const KeyPattern pattern = is_glob ? KeyPattern::glob(source) : KeyPattern::regex(source);
    std::size_t live_matches = 0;
    std::vector<bool> matched;
    for (std::size_t i = 0; i < identities.size(); ++i) {
      const EntryIdentity& identity = identities[i];
      // One in five expires before the erase: removed if it matches, never counted.
      const bool expiring = i % 5 == 0;
      cache.set(CacheKey{.key = identity.key, .ns = identity.ns}, static_cast<int>(i),
                expiring ? std::optional<Ttl>(std::chrono::seconds(1)) : std::nullopt);
      matched.push_back(pattern.matches(full_key_of(identity)));
      live_matches += matched.back() && !expiring ? 1 : 0;
    }
    clock->advance(std::chrono::seconds(2));
    const std::size_t erased =
        is_glob ? cache.erase_by_pattern(source) : cache.erase_by_regex(source);
    CHECK(erased == live_matches);
    std::size_t left = 0;
    for (std::size_t i = 0; i < identities.size(); ++i) {
      const bool stored = i % 5 != 0 && !matched[i];
      left += stored ? 1 : 0;
      CHECK(cache.exists(CacheKey{.key = identities[i].key, .ns = identities[i].ns}) == stored);
    }
    CHECK(cache.get_stats().total_entries == left);
  }
}
