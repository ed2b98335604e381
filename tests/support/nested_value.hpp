// Msgpack documents nested to a chosen depth: `depth` arrays of one element around a nil.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <portico/cache/value.hpp>

namespace portico::cache::testing {

// The encoding: depth times 0x91 (an array of one), then 0xc0 (nil).
inline std::string nested_array_bytes(std::size_t depth) {
  std::string bytes(depth, '\x91');
  bytes.push_back('\xc0');
  return bytes;
}

// The same document as a Value built from a msgpack::object, as application code could build
// it, so that no check of Value::from_msgpack stands in the way.
inline Value nested_array_value(std::size_t depth) {
  std::vector<msgpack::object> levels(depth + 1);
  for (std::size_t i = 0; i < depth; ++i) {
    levels[i].type = msgpack::type::ARRAY;
    levels[i].via.array.size = 1;
    levels[i].via.array.ptr = &levels[i + 1];
  }
  levels[depth].type = msgpack::type::NIL;
  return Value(levels[0]);
}

}  // namespace portico::cache::testing
