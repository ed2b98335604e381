// Keys are bytes: globs and regexes see the same keys, UTF-8 or not.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fixtures.hpp"

using portico::cache::CacheKey;
using portico::cache::Value;

namespace {

std::vector<CacheKey> byte_keys() {
  return {
      CacheKey{.key = "user:\xff\xfe"},                   // not UTF-8
      CacheKey{.key = "\x80", .ns = "raw"},               // a lone continuation byte
      CacheKey{.key = "caf\xc3\xa9:1"},                   // "café:1" in UTF-8
      CacheKey{.key = "k", .ns = "\xc3\xa9t\xc3\xa9"},  // namespace "été"
      CacheKey{.key = "plain"},
  };
}

template <class F>
void fill(F& f) {
  for (const CacheKey& key : byte_keys()) f.cache->set(key, Value(1));
}

}  // namespace

TEST_CASE_TEMPLATE("erase_by_regex(\".*\") and erase_by_pattern(\"*\") remove the same keys", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  fill(f);
  CHECK(f.cache->erase_by_regex(".*") == byte_keys().size());
  CHECK(f.cache->get_stats().total_entries == 0);
  fill(f);
  CHECK(f.cache->erase_by_pattern("*") == byte_keys().size());
  CHECK(f.cache->get_stats().total_entries == 0);
}

TEST_CASE_TEMPLATE("regexes match keys that are not UTF-8, and UTF-8 literals still match", F,
                   PORTICO_ADAPTER_FIXTURES) {
  F f;
  fill(f);
  CHECK(f.cache->erase_by_regex("user:.*") == 1);
  CHECK_FALSE(f.cache->exists(CacheKey{.key = "user:\xff\xfe"}));
  CHECK(f.cache->erase_by_regex("raw:\\x80") == 1);
  CHECK(f.cache->erase_by_regex("caf\xc3\xa9:.*") == 1);
  CHECK(f.cache->erase_by_regex("\xc3\xa9t\xc3\xa9:k") == 1);
  CHECK(f.cache->exists(CacheKey{.key = "plain"}));
  CHECK(f.cache->get_stats().total_entries == 1);
}
