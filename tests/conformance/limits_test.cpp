// The limits of <portico/cache/limits.hpp>: the same on every adapter, enforced before
// anything is written, with a message naming the limit.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include <portico/cache/limits.hpp>

#include "../support/nested_value.hpp"
#include "fixtures.hpp"

using portico::cache::CacheItem;
using portico::cache::CacheKey;
using portico::cache::kMaxKeyBytes;
using portico::cache::kMaxNamespaceBytes;
using portico::cache::kMaxTagBytes;
using portico::cache::kMaxTags;
using portico::cache::kMaxValueBytes;
using portico::cache::kMaxValueDepth;
using portico::cache::Value;
using portico::cache::testing::nested_array_value;

namespace {

// Exactly kMaxTagBytes long, distinct for each i.
std::string widest_tag(std::size_t i) {
  std::string tag = std::to_string(i);
  tag.insert(0, kMaxTagBytes - tag.size(), 't');
  return tag;
}

std::vector<std::string> numbered_tags(std::size_t count) {
  std::vector<std::string> tags;
  for (std::size_t i = 0; i < count; ++i) tags.push_back("tag" + std::to_string(i));
  return tags;
}

// Nothing was written and no refused read counted: only `expected` entries, no hit or miss.
template <class F>
void check_untouched(F& f, std::uint64_t expected) {
  const auto stats = f.cache->get_stats();
  CHECK(stats.total_entries == expected);
  CHECK(stats.total_hits == 0);
  CHECK(stats.total_misses == 0);
}

}  // namespace

TEST_CASE_TEMPLATE("a key at kMaxKeyBytes is stored; one byte more is refused by every method", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  const CacheKey longest{.key = std::string(kMaxKeyBytes, 'k'), .ns = "n"};
  f.cache->set(longest, Value(1));
  CHECK(f.cache->exists(longest));

  const CacheKey too_long{.key = std::string(kMaxKeyBytes + 1, 'k'), .ns = "n"};
  const auto limit = doctest::Contains("kMaxKeyBytes");
  CHECK_THROWS_WITH_AS(f.cache->set(too_long, Value(1)), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->get(too_long), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->exists(too_long), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->erase(too_long), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->get_many({longest, too_long}), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->erase_many({longest, too_long}), limit, std::invalid_argument);
  CHECK(f.cache->exists(longest));  // the erase_many above erased nothing
  check_untouched(f, 1);
}

TEST_CASE_TEMPLATE("a namespace at kMaxNamespaceBytes is stored; one byte more is refused", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  const std::string longest_ns(kMaxNamespaceBytes, 'n');
  f.cache->set(CacheKey{.key = "k", .ns = longest_ns}, Value(1));
  CHECK(f.cache->exists(CacheKey{.key = "k", .ns = longest_ns}));

  const CacheKey too_long{.key = "k", .ns = std::string(kMaxNamespaceBytes + 1, 'n')};
  const auto limit = doctest::Contains("kMaxNamespaceBytes");
  CHECK_THROWS_WITH_AS(f.cache->set(too_long, Value(1)), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->get(too_long), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->exists(too_long), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->erase(too_long), limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->erase_by_namespace(*too_long.ns), limit, std::invalid_argument);
  check_untouched(f, 1);
}

TEST_CASE_TEMPLATE("kMaxTags tags of kMaxTagBytes are stored; more or longer tags are refused", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  std::vector<std::string> widest;
  for (std::size_t i = 0; i < kMaxTags; ++i) widest.push_back(widest_tag(i));
  f.cache->set(CacheKey{.key = "tagged", .tags = widest}, Value(1));
  const auto entry = f.cache->get(CacheKey{.key = "tagged"});
  REQUIRE(entry.has_value());
  CHECK(entry->key.tags == widest);

  const auto count_limit = doctest::Contains("kMaxTags");
  const std::vector<std::string> too_many = numbered_tags(kMaxTags + 1);
  CHECK_THROWS_WITH_AS(f.cache->set(CacheKey{.key = "k", .tags = too_many}, Value(1)),
                       count_limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->erase_by_tags(too_many), count_limit, std::invalid_argument);

  const auto length_limit = doctest::Contains("kMaxTagBytes");
  const std::vector<std::string> too_long{"short", std::string(kMaxTagBytes + 1, 't')};
  CHECK_THROWS_WITH_AS(f.cache->set(CacheKey{.key = "k", .tags = too_long}, Value(1)),
                       length_limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->erase_by_tags(too_long), length_limit, std::invalid_argument);

  // The refused erases erased nothing: the entry is still found by its widest tag.
  CHECK(f.cache->exists(CacheKey{.key = "tagged"}));
  CHECK(f.cache->erase_by_tags({widest.back()}) == 1);
}

TEST_CASE_TEMPLATE("a value over kMaxValueBytes is refused and nothing is written", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  f.cache->set(CacheKey{.key = "k"}, Value(1));
  // One msgpack bin document of kMaxValueBytes + 1 bytes in all (5 bytes of header).
  std::string bytes(kMaxValueBytes + 1, '\0');
  const std::size_t payload = bytes.size() - 5;
  bytes[0] = '\xc6';
  for (int i = 0; i < 4; ++i) bytes[1 + i] = static_cast<char>((payload >> (8 * (3 - i))) & 0xff);
  Value too_big = Value::from_msgpack(std::move(bytes));
  REQUIRE(too_big.size_bytes() == kMaxValueBytes + 1);

  const auto limit = doctest::Contains("kMaxValueBytes");
  CHECK_THROWS_WITH_AS(f.cache->set(CacheKey{.key = "k"}, too_big), limit, std::invalid_argument);
  std::vector<CacheItem> items;
  items.push_back(CacheItem{.key = CacheKey{.key = "first"}, .value = Value(1)});
  items.push_back(CacheItem{.key = CacheKey{.key = "big"}, .value = std::move(too_big)});
  CHECK_THROWS_WITH_AS(f.cache->set_many(std::move(items)), limit, std::invalid_argument);

  // The old value is still there; the batch wrote nothing.
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "first"}));
  const auto entry = f.cache->get(CacheKey{.key = "k"});
  REQUIRE(entry.has_value());
  CHECK(entry->template as<int>() == 1);
  CHECK(f.cache->get_stats().total_entries == 1);
}

TEST_CASE_TEMPLATE("a value nested kMaxValueDepth deep is stored; one level more is refused", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  const Value deepest = nested_array_value(kMaxValueDepth);
  f.cache->set(CacheKey{.key = "deep"}, deepest);
  const auto entry = f.cache->get(CacheKey{.key = "deep"});
  REQUIRE(entry.has_value());
  CHECK(entry->value == deepest);
  CHECK(entry->value.to_json().size() == 2 * kMaxValueDepth + 4);  // [[...[null]...]]

  const auto limit = doctest::Contains("kMaxValueDepth");
  CHECK_THROWS_WITH_AS(f.cache->set(CacheKey{.key = "deeper"}, nested_array_value(kMaxValueDepth + 1)),
                       limit, std::invalid_argument);
  CHECK_THROWS_WITH_AS(f.cache->set(CacheKey{.key = "deeper"}, nested_array_value(100'000)), limit,
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(
      f.cache->set_many({CacheItem{.key = CacheKey{.key = "a"}, .value = Value(1)},
                         CacheItem{.key = CacheKey{.key = "deeper"},
                                   .value = nested_array_value(kMaxValueDepth + 1)}}),
      limit, std::invalid_argument);
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "a"}));
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "deeper"}));
  CHECK(f.cache->get_stats().total_entries == 1);
}

TEST_CASE_TEMPLATE("a batch with one key over a limit changes nothing", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  std::vector<CacheItem> items;
  for (int i = 0; i < 10; ++i) {
    items.push_back(CacheItem{.key = CacheKey{.key = std::to_string(i)}, .value = Value(i)});
  }
  items.push_back(CacheItem{.key = CacheKey{.key = std::string(kMaxKeyBytes + 1, 'k')}, .value = Value(1)});
  CHECK_THROWS_WITH_AS(f.cache->set_many(items), doctest::Contains("kMaxKeyBytes"),
                       std::invalid_argument);
  items.back() = CacheItem{.key = CacheKey{.key = "k", .tags = numbered_tags(kMaxTags + 1)},
                           .value = Value(1)};
  CHECK_THROWS_WITH_AS(f.cache->set_many(items), doctest::Contains("kMaxTags"),
                       std::invalid_argument);
  CHECK(f.cache->get_stats().total_entries == 0);
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "0"}));
}
