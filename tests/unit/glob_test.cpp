#include <doctest/doctest.h>

#include <string>

#include <portico/cache/pattern.hpp>

using portico::cache::KeyPattern;

namespace {
bool glob(std::string_view pattern, std::string_view text) {
  return KeyPattern::glob(pattern).matches(text);
}
}  // namespace

TEST_CASE("glob: literals and whole-string matching") {
  CHECK(glob("abc", "abc"));
  CHECK_FALSE(glob("abc", "abcd"));
  CHECK_FALSE(glob("abc", "xabc"));
  CHECK(glob("", ""));
  CHECK_FALSE(glob("", "a"));
}

TEST_CASE("glob: star and question mark") {
  CHECK(glob("*", ""));
  CHECK(glob("*", "anything"));
  CHECK(glob("user:*", "user:"));
  CHECK(glob("user:*", "user:42"));
  CHECK_FALSE(glob("user:*", "users:42"));
  CHECK(glob("*:42", "user:42"));
  CHECK(glob("a*b*c", "aXXbYYc"));
  CHECK(glob("a*b*c", "abc"));
  CHECK_FALSE(glob("a*b*c", "acb"));
  CHECK(glob("h?llo", "hello"));
  CHECK_FALSE(glob("h?llo", "hllo"));
  CHECK(glob("**a", "a"));
  CHECK(glob("*a*a*a*a*a*a*b", std::string(64, 'a') + "b"));
  CHECK_FALSE(glob("*a*a*a*a*a*a*b", std::string(4096, 'a')));
}

TEST_CASE("glob: classes, negation, ranges") {
  CHECK(glob("h[ae]llo", "hello"));
  CHECK(glob("h[ae]llo", "hallo"));
  CHECK_FALSE(glob("h[ae]llo", "hillo"));
  CHECK(glob("h[^e]llo", "hallo"));
  CHECK_FALSE(glob("h[^e]llo", "hello"));
  CHECK(glob("h[a-c]llo", "hbllo"));
  CHECK_FALSE(glob("h[a-c]llo", "hdllo"));
  CHECK(glob("h[c-a]llo", "hbllo"));  // reversed range, as Redis accepts
  CHECK(glob("[\\]]", "]"));
  CHECK(glob("[a\\-z]", "-"));
  CHECK_FALSE(glob("[a\\-z]", "b"));
  CHECK_FALSE(glob("[]", "a"));
}

TEST_CASE("glob: backslash escapes") {
  CHECK(glob("a\\*b", "a*b"));
  CHECK_FALSE(glob("a\\*b", "aXb"));
  CHECK(glob("\\?", "?"));
  CHECK(glob("\\[x", "[x"));
  CHECK(glob("a\\\\", "a\\"));
}

TEST_CASE("glob: malformed patterns are invalid_argument") {
  CHECK_THROWS_AS(KeyPattern::glob("abc["), std::invalid_argument);
  CHECK_THROWS_AS(KeyPattern::glob("[abc"), std::invalid_argument);
  CHECK_THROWS_AS(KeyPattern::glob("[^"), std::invalid_argument);
  CHECK_THROWS_AS(KeyPattern::glob("abc\\"), std::invalid_argument);
  CHECK_THROWS_AS(KeyPattern::glob("[a\\"), std::invalid_argument);
}

TEST_CASE("glob: literal prefix") {
  CHECK(KeyPattern::glob("user:*").literal_prefix() == "user:");
  CHECK(KeyPattern::glob("user:1?").literal_prefix() == "user:1");
  CHECK(KeyPattern::glob("a\\*b*").literal_prefix() == "a*b");
  CHECK(KeyPattern::glob("[u]ser*").literal_prefix() == "user");
  CHECK(KeyPattern::glob("*user").literal_prefix().empty());
  CHECK(KeyPattern::glob("[ab]x").literal_prefix().empty());
  CHECK(KeyPattern::glob("exact").literal_prefix() == "exact");
}
