// The nesting limit of values (kMaxValueDepth): decoding never recurses past it, so hostile
// or damaged bytes give CorruptionError instead of exhausting the stack.
#include <doctest/doctest.h>

#include <string>

#include <portico/cache/errors.hpp>
#include <portico/cache/limits.hpp>
#include <portico/cache/value.hpp>

#include "../support/nested_value.hpp"
#include "core/value_access.hpp"

using portico::cache::CorruptionError;
using portico::cache::kMaxValueDepth;
using portico::cache::Value;
using portico::cache::detail::ValueAccess;
using portico::cache::testing::nested_array_bytes;

TEST_CASE("from_msgpack accepts kMaxValueDepth levels of nesting and refuses one more") {
  const Value deepest = Value::from_msgpack(nested_array_bytes(kMaxValueDepth));
  CHECK(deepest.to_json() == std::string(kMaxValueDepth, '[') + "null" +
                                 std::string(kMaxValueDepth, ']'));
  CHECK_THROWS_WITH_AS(Value::from_msgpack(nested_array_bytes(kMaxValueDepth + 1)),
                       doctest::Contains("kMaxValueDepth"), CorruptionError);
  // Maps count like arrays: {nil: [[...]]}.
  std::string map_bytes = "\x81\xc0";
  map_bytes += nested_array_bytes(kMaxValueDepth);
  CHECK_THROWS_AS(Value::from_msgpack(map_bytes), CorruptionError);
  map_bytes = "\x81\xc0" + nested_array_bytes(kMaxValueDepth - 1);
  CHECK_NOTHROW(Value::from_msgpack(map_bytes));
}

TEST_CASE("stored bytes nested 100,000 deep read back as CorruptionError, not a crash") {
  // Bytes an adapter adopts from storage are not scanned on the way in.
  const Value adopted = ValueAccess::adopt(nested_array_bytes(100'000));
  CHECK_THROWS_WITH_AS(adopted.to_json(), doctest::Contains("kMaxValueDepth"), CorruptionError);
  CHECK_THROWS_AS(adopted.as<std::vector<int>>(), CorruptionError);
  CHECK_THROWS_AS(Value::from_msgpack(nested_array_bytes(100'000)), CorruptionError);
}

TEST_CASE("from_msgpack names what is wrong with bytes that are not one document") {
  CHECK_THROWS_WITH_AS(Value::from_msgpack(std::string("\x01\x02", 2)),
                       doctest::Contains("1 trailing bytes"), CorruptionError);
  CHECK_THROWS_WITH_AS(Value::from_msgpack("\x92\x01"), doctest::Contains("end inside"),
                       CorruptionError);
  CHECK_THROWS_WITH_AS(Value::from_msgpack("\xc1"), doctest::Contains("starts no msgpack object"),
                       CorruptionError);
}
