// The export/import line format of cache-inspect: JSON Lines, one entry per line.
//
//   {"key":"user:1","ns":"app","tags":["users"],"created_at":"2025-01-02T03:04:05.5Z",
//    "expires_at":"2025-01-02T04:04:05.5Z","hit_count":3,"value":{"name":"Ada"}}
//
// "ns" and "expires_at" are null when there is none. The value is either "value", the JSON
// form of the msgpack document, or "value_msgpack_base64", its exact bytes. "value" is used
// only when re-encoding that JSON gives back the very same bytes (no binary or extension
// values, no maps with non-string keys, no float32, no non-finite floats, valid UTF-8,
// minimal encodings), so an import always restores identical bytes. A key, namespace or tag
// that is not valid UTF-8 is written as {"base64": "..."} instead of a string.
// created_at and hit_count are informational: an imported entry is new.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <portico/cache/key.hpp>
#include <portico/cache/limits.hpp>
#include <portico/cache/time.hpp>
#include <portico/cache/value.hpp>

#include "rocksdb/inspect.hpp"
#include "output.hpp"

namespace portico::cache::inspect {

// The longest line import reads unless told otherwise: a value of kMaxValueBytes as base64,
// plus room for the longest key, namespace and tags. export writes no longer line: a value
// whose JSON form would make the line longer is written as base64 instead.
inline constexpr std::size_t kMaxLineBytes = 4 * ((kMaxValueBytes + 2) / 3) + (std::size_t{1} << 20);

enum class ValueFormat {
  json,     // "value" when lossless, base64 msgpack otherwise
  msgpack,  // always "value_msgpack_base64"
};

// The JSON form of one msgpack document when JSON carries it without loss, else nullopt.
std::optional<Json> lossless_json(std::string_view msgpack_bytes);
// The msgpack encoding of a JSON document (as msgpack-c encodes the same C++ values).
std::string msgpack_of_json(const Json& document);

Json export_line(const internal::StoredEntry& entry, ValueFormat format);
// The text of export_line, at most kMaxLineBytes long.
struct ExportedLine {
  std::string text{};
  bool value_as_bytes = false;  // "value_msgpack_base64" rather than "value"
};
ExportedLine export_line_text(const internal::StoredEntry& entry, ValueFormat format);

struct ImportedEntry {
  CacheKey key{};  // with tags
  Value value{};
  std::optional<TimePoint> expires_at{};
};
// Throws std::invalid_argument naming what is wrong with the line, also when arrays and maps
// in it nest deeper than kMaxValueDepth (before anything recurses over them).
ImportedEntry parse_import_line(std::string_view line);

}  // namespace portico::cache::inspect
