#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include <portico/cache/key.hpp>

using portico::cache::CacheKey;

TEST_CASE("full_key joins namespace and key with a colon") {
  CHECK(CacheKey{.key = "k"}.full_key() == "k");
  CHECK(CacheKey{.key = "k", .ns = "app"}.full_key() == "app:k");
}

TEST_CASE("identity is (ns, key); tags are not part of it") {
  const CacheKey a{.key = "c", .ns = "a:b"};
  const CacheKey b{.key = "b:c", .ns = "a"};
  const CacheKey c{.key = "a:b:c"};
  CHECK(a.full_key() == "a:b:c");
  CHECK(b.full_key() == "a:b:c");
  CHECK(c.full_key() == "a:b:c");
  CHECK(a != b);
  CHECK(b != c);
  CHECK(a != c);
  CHECK(CacheKey{.key = "x", .tags = {"t"}} == CacheKey{.key = "x"});
  CHECK(std::hash<CacheKey>{}(CacheKey{.key = "x", .tags = {"t"}}) ==
        std::hash<CacheKey>{}(CacheKey{.key = "x"}));
}

TEST_CASE("validate rejects empty keys, namespaces and tags") {
  CHECK_THROWS_AS(CacheKey{}.validate(), std::invalid_argument);
  CHECK_THROWS_AS((CacheKey{.key = "k", .ns = ""}.validate()), std::invalid_argument);
  CHECK_THROWS_AS((CacheKey{.key = "k", .tags = {"a", ""}}.validate()), std::invalid_argument);
  CHECK_NOTHROW((CacheKey{.key = "k", .ns = "n", .tags = {"a"}}.validate()));
}

TEST_CASE("from_function_call is pinned to a golden value") {
  // XXH3-128 (seed 0, canonical) over the msgpack array [123, "x"] = 92 7b a1 78; the same
  // digest as `printf '\x92\x7b\xa1\x78' | xxhsum -H2`.
  const CacheKey key = CacheKey::from_function_call("get_user", std::make_tuple(123, "x"));
  CHECK(key.key == "get_user:3f3eb522d50efa6167b4af013017f53b");
  CHECK_FALSE(key.ns.has_value());
  CHECK(key.key.size() == std::string_view("get_user:").size() + 32);
}

TEST_CASE("from_function_call: equal arguments give equal keys") {
  const auto k_int = CacheKey::from_function_call("f", std::make_tuple(123));
  CHECK(k_int.key == CacheKey::from_function_call("f", std::make_tuple(123L)).key);
  CHECK(k_int.key == CacheKey::from_function_call("f", std::make_tuple(123u)).key);
  CHECK(k_int.key == CacheKey::from_function_call("f", std::make_tuple(std::int8_t{123})).key);
  CHECK(k_int.key == CacheKey::from_function_call("f", std::make_tuple(std::uint64_t{123})).key);

  const auto k_str = CacheKey::from_function_call("f", std::make_tuple("x"));
  CHECK(k_str.key == CacheKey::from_function_call("f", std::make_tuple(std::string("x"))).key);
  CHECK(k_str.key ==
        CacheKey::from_function_call("f", std::make_tuple(std::string_view("x"))).key);
  CHECK(k_str.key ==
        CacheKey::from_function_call("f", std::tuple<const char(&)[2]>("x")).key);
}

TEST_CASE("from_function_call: any differing argument gives a different key") {
  const auto base = CacheKey::from_function_call("f", std::make_tuple(1, "a", 2.5));
  CHECK(base.key != CacheKey::from_function_call("f", std::make_tuple(2, "a", 2.5)).key);
  CHECK(base.key != CacheKey::from_function_call("f", std::make_tuple(1, "b", 2.5)).key);
  CHECK(base.key != CacheKey::from_function_call("f", std::make_tuple(1, "a", 2.25)).key);
  CHECK(base.key != CacheKey::from_function_call("g", std::make_tuple(1, "a", 2.5)).key);
  CHECK(base.key != CacheKey::from_function_call("f", std::make_tuple(1, "a")).key);
  // Argument boundaries are part of the encoding: ("ab", "c") is not ("a", "bc").
  CHECK(CacheKey::from_function_call("f", std::make_tuple("ab", "c")).key !=
        CacheKey::from_function_call("f", std::make_tuple("a", "bc")).key);
  CHECK(CacheKey::from_function_call("f", std::make_tuple(-1)).key !=
        CacheKey::from_function_call("f", std::make_tuple(1)).key);
}

TEST_CASE("from_function_call carries namespace and tags and rejects an empty name") {
  const auto key =
      CacheKey::from_function_call("f", std::make_tuple(1), std::string("ns"), {"t1", "t2"});
  CHECK(key.ns == "ns");
  CHECK(key.tags == std::vector<std::string>{"t1", "t2"});
  CHECK(key.full_key().starts_with("ns:f:"));
  CHECK_THROWS_AS(CacheKey::from_function_call("", std::make_tuple(1)), std::invalid_argument);
}
