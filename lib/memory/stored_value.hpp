// A value as a shard keeps it: the Value itself, or a zstd frame of its msgpack bytes when
// compression made it smaller.
#pragma once

#include <cstddef>
#include <string>
#include <variant>

#include <portico/cache/value.hpp>

#include "footprint.hpp"

namespace portico::cache::internal {

struct CompressedValue {
  std::string frame{};        // one zstd frame
  std::size_t raw_size = 0;   // bytes of the msgpack document it decompresses to
};

using StoredValue = std::variant<Value, CompressedValue>;

// Heap bytes the stored form occupies.
inline std::size_t heap_bytes(const StoredValue& stored) {
  if (const auto* compressed = std::get_if<CompressedValue>(&stored)) {
    return heap_bytes(compressed->frame);
  }
  return heap_bytes(std::get<Value>(stored).msgpack());
}

}  // namespace portico::cache::internal
