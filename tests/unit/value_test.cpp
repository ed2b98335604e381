#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <portico/cache/value.hpp>

using portico::cache::CorruptionError;
using portico::cache::TypeError;
using portico::cache::Value;

namespace {
struct Profile {
  std::string name;
  int age = 0;
  std::vector<std::string> roles;
  std::optional<double> score;
  bool operator==(const Profile&) const = default;
  MSGPACK_DEFINE_MAP(name, age, roles, score)
};

template <class T>
void check_round_trip(const T& original) {
  const Value value = original;
  CHECK(value.as<T>() == original);
  const Value copy = Value::from_msgpack(value.msgpack());
  CHECK(copy.as<T>() == original);
  CHECK(copy == value);
}
}  // namespace

TEST_CASE("Value round-trips every supported kind of value") {
  check_round_trip(true);
  check_round_trip(false);
  check_round_trip(0);
  check_round_trip(-1);
  check_round_trip(std::numeric_limits<std::int64_t>::min());
  check_round_trip(std::numeric_limits<std::uint64_t>::max());
  check_round_trip(3.25);
  check_round_trip(1.5f);
  check_round_trip(std::string("hello"));
  check_round_trip(std::string("with\0nul", 8));
  check_round_trip(std::string{});
  check_round_trip(std::vector<int>{1, 2, 3});
  check_round_trip(std::map<std::string, int>{{"a", 1}, {"b", 2}});
  check_round_trip(std::optional<int>{});
  check_round_trip(std::optional<int>{7});
  check_round_trip(std::tuple<int, std::string, bool>{1, "two", true});
  check_round_trip(std::vector<std::vector<std::string>>{{"a"}, {}, {"b", "c"}});
  check_round_trip(Profile{.name = "ada", .age = 36, .roles = {"admin"}, .score = 9.5});
}

TEST_CASE("Value::from and the implicit conversion encode the same document") {
  CHECK(Value::from(42) == Value(42));
  CHECK(Value("x") == Value(std::string("x")));
  CHECK(Value("x").as<std::string>() == "x");
}

TEST_CASE("a default Value is nil") {
  const Value nil;
  CHECK(nil.is_nil());
  CHECK(nil.to_json() == "null");
  CHECK_FALSE(Value(0).is_nil());
}

TEST_CASE("a Value left behind by a move is nil, never an empty document") {
  Value source(std::string(100, 'x'));
  const Value moved(std::move(source));
  CHECK(source.is_nil());  // NOLINT(bugprone-use-after-move): the state a move leaves
  CHECK(source.msgpack() == Value().msgpack());
  CHECK(moved.as<std::string>() == std::string(100, 'x'));

  Value assigned;
  Value other(3);
  assigned = std::move(other);
  CHECK(other.is_nil());  // NOLINT(bugprone-use-after-move)
  CHECK(assigned.as<int>() == 3);

  Value emptied(std::string(100, 'y'));
  const std::string bytes = std::move(emptied).msgpack();
  CHECK(emptied.is_nil());  // NOLINT(bugprone-use-after-move)
  CHECK(Value::from_msgpack(bytes).as<std::string>() == std::string(100, 'y'));
}

TEST_CASE("as<T> on a mismatched type throws TypeError") {
  CHECK_THROWS_AS(Value("text").as<int>(), TypeError);
  CHECK_THROWS_AS(Value(12).as<std::string>(), TypeError);
  using StringToInt = std::map<std::string, int>;
  CHECK_THROWS_AS(Value(std::vector<int>{1}).as<StringToInt>(), TypeError);
  CHECK_THROWS_AS(Value(300).as<std::uint8_t>(), TypeError);
  CHECK_THROWS_AS(Value(-1).as<unsigned>(), TypeError);
  CHECK_THROWS_AS(Value(std::string("ada")).as<Profile>(), TypeError);
  // TypeError is a CacheError.
  CHECK_THROWS_AS(Value("text").as<int>(), portico::cache::CacheError);
}

TEST_CASE("from_msgpack rejects anything but exactly one document") {
  CHECK_THROWS_AS(Value::from_msgpack(""), CorruptionError);
  CHECK_THROWS_AS(Value::from_msgpack("\x92\x01"), CorruptionError);  // array of 2, one item
  CHECK_THROWS_AS(Value::from_msgpack(std::string("\x01\x02", 2)), CorruptionError);
  CHECK(Value::from_msgpack(std::string("\x01", 1)).as<int>() == 1);
}

TEST_CASE("to_json renders any msgpack value") {
  CHECK(Value(1).to_json() == "1");
  CHECK(Value(-5).to_json() == "-5");
  CHECK(Value(true).to_json() == "true");
  CHECK(Value(1.5).to_json() == "1.5");
  CHECK(Value("a\"b\n").to_json() == R"("a\"b\n")");
  CHECK(Value(std::vector<int>{1, 2}).to_json() == "[1,2]");
  CHECK(Value(std::map<std::string, int>{{"k", 1}}).to_json() == R"({"k":1})");
  CHECK(Value(std::map<int, int>{{1, 2}}).to_json() == R"({"1":2})");
  CHECK(Value(Profile{.name = "ada", .age = 1, .roles = {}, .score = {}}).to_json() ==
        R"({"age":1,"name":"ada","roles":[],"score":null})");
  // Binary data is shown safely as base64.
  const std::vector<char> bin{'\x00', '\xff', 'a'};
  CHECK(Value(bin).to_json() == R"({"$bin":"AP9h"})");
  // Invalid UTF-8 inside a string does not produce invalid JSON.
  CHECK_NOTHROW(Value(std::string("\xff\xfe")).to_json());
}
