#include <doctest/doctest.h>

#include <string>

#include <portico/cache/pattern.hpp>

using portico::cache::KeyPattern;

TEST_CASE("regex: full match, RE2 syntax") {
  const KeyPattern p = KeyPattern::regex("user:[0-9]+");
  CHECK(p.matches("user:42"));
  CHECK_FALSE(p.matches("user:42x"));
  CHECK_FALSE(p.matches("xuser:42"));
  CHECK(KeyPattern::regex("a|b").matches("b"));
  CHECK_FALSE(KeyPattern::regex("a|b").matches("ab"));
  CHECK(KeyPattern::regex(".*").matches("line\nbreak"));
}

TEST_CASE("regex: malformed and unsupported patterns are invalid_argument") {
  CHECK_THROWS_AS(KeyPattern::regex("("), std::invalid_argument);
  CHECK_THROWS_AS(KeyPattern::regex("[a-"), std::invalid_argument);
  CHECK_THROWS_AS(KeyPattern::regex("(a)\\1"), std::invalid_argument);   // backreference
  CHECK_THROWS_AS(KeyPattern::regex("a(?=b)"), std::invalid_argument);  // lookahead
}

TEST_CASE("regex: a pathological pattern is rejected or linear, never a hang") {
  // Classic catastrophic backtracking input for backtracking engines.
  const KeyPattern p = KeyPattern::regex("(a+)+$");
  CHECK_FALSE(p.matches(std::string(100000, 'a') + "!"));
  // An automaton too large for the memory budget is refused at compile time.
  CHECK_THROWS_AS(KeyPattern::regex("((((a{100}){100}){100}){100})"), std::invalid_argument);
}

TEST_CASE("regex: literal prefix") {
  CHECK(KeyPattern::regex("user:[0-9]+").literal_prefix() == "user:");
  CHECK(KeyPattern::regex("session:.*").literal_prefix() == "session:");
  CHECK(KeyPattern::regex(".*x").literal_prefix().empty());
  CHECK(KeyPattern::regex("(?i)user").literal_prefix().empty());
  CHECK(KeyPattern::regex("a|b").literal_prefix().empty());
  // Any byte may follow "session:"; the prefix still ends at the colon, and a pattern that
  // also matches the string just past that range keeps the shorter prefix it needs.
  CHECK(KeyPattern::regex("session:[\\x00-\\xff]*").literal_prefix() == "session:");
  CHECK(KeyPattern::regex("a:.*|a;").literal_prefix() == "a");
  CHECK(KeyPattern::regex("a:.*|a;").matches("a;"));
}

TEST_CASE("regex: keys that are not UTF-8 match like any other bytes") {
  const std::string raw = "user:\xff\xfe";
  CHECK(KeyPattern::regex(".*").matches(raw));
  CHECK(KeyPattern::regex("user:.*").matches(raw));
  CHECK(KeyPattern::regex("user:..").matches(raw));  // two bytes, two dots
  CHECK(KeyPattern::regex("user:\\xff\\xfe").matches(raw));
  CHECK(KeyPattern::regex("user:[\\x80-\\xff]+").matches(raw));
  // The glob agrees.
  CHECK(KeyPattern::glob("*").matches(raw));
  CHECK(KeyPattern::glob("user:??").matches(raw));
}

TEST_CASE("regex: a UTF-8 literal in the pattern matches the same bytes in a key") {
  const std::string cafe = "caf\xc3\xa9:menu";  // "café:menu" in UTF-8
  CHECK(KeyPattern::regex("caf\xc3\xa9.*").matches(cafe));
  CHECK(KeyPattern::regex("caf\xc3\xa9:menu").matches(cafe));
  CHECK_FALSE(KeyPattern::regex("caf\xc3\xa9").matches("cafe:menu"));
  CHECK(KeyPattern::regex("caf\xc3\xa9.*").literal_prefix() == "caf\xc3\xa9");
  // A dot is one byte: the two bytes of "é" take two dots.
  CHECK_FALSE(KeyPattern::regex("caf.:menu").matches(cafe));
  CHECK(KeyPattern::regex("caf..:menu").matches(cafe));
  // A pattern that is not UTF-8 is accepted and matches its bytes.
  CHECK(KeyPattern::regex("\xff+").matches("\xff\xff"));
}
