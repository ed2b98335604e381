// A value on its way into or out of a shard: the Value itself, or a zstd frame of its msgpack
// bytes when compression made it smaller. Inside the shard only the bytes are kept.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <portico/cache/value.hpp>

#include "core/value_access.hpp"

namespace portico::cache::internal {

struct CompressedValue {
  std::string frame{};        // one zstd frame
  std::size_t raw_size = 0;   // bytes of the msgpack document it decompresses to
};

using StoredValue = std::variant<Value, CompressedValue>;

// The bytes a shard keeps of it: the msgpack document or the frame.
inline std::string_view stored_bytes(const StoredValue& stored) {
  if (const auto* compressed = std::get_if<CompressedValue>(&stored)) return compressed->frame;
  return std::get<Value>(stored).msgpack();
}

// What a shard records of it besides the bytes: the size of the msgpack document a frame
// decompresses to; nullopt for a plain value.
inline std::optional<std::size_t> decompressed_size_of(const StoredValue& stored) {
  if (const auto* compressed = std::get_if<CompressedValue>(&stored)) return compressed->raw_size;
  return std::nullopt;
}

// The stored form again, from the bytes a shard kept (a frame when `decompressed_size` is set).
inline StoredValue stored_value_of(std::string_view bytes,
                                   std::optional<std::size_t> decompressed_size) {
  if (decompressed_size) {
    return CompressedValue{.frame = std::string(bytes), .raw_size = *decompressed_size};
  }
  return detail::ValueAccess::adopt(bytes);
}

}  // namespace portico::cache::internal
