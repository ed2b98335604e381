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
}
