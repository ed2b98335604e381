#include <portico/cache/value.hpp>

#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <portico/cache/limits.hpp>

#include "core/document_scan.hpp"
#include "util/base64.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

namespace detail {
void throw_type_error(std::string_view wanted, const char* what) {
  throw TypeError(fmt::format("cached value does not convert to {}: {}", wanted, what));
}
void throw_corrupt_value(const char* what) {
  throw CorruptionError(fmt::format("cached value is not valid msgpack: {}", what));
}
}  // namespace detail

namespace {

nlohmann::json to_json_value(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return nullptr;
    case msgpack::type::BOOLEAN:
      return o.via.boolean;
    case msgpack::type::POSITIVE_INTEGER:
      return o.via.u64;
    case msgpack::type::NEGATIVE_INTEGER:
      return o.via.i64;
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      // JSON has no NaN or infinity: show them as strings rather than emit invalid JSON.
      if (!std::isfinite(o.via.f64)) return fmt::format("{}", o.via.f64);
      return o.via.f64;
    case msgpack::type::STR:
      return std::string(o.via.str.ptr, o.via.str.size);
    case msgpack::type::BIN:
      return nlohmann::json{
          {"$bin", internal::base64_encode(std::string_view(o.via.bin.ptr, o.via.bin.size))}};
    case msgpack::type::EXT:
      return nlohmann::json{
          {"$ext", o.via.ext.type()},
          {"data", internal::base64_encode(std::string_view(o.via.ext.data(), o.via.ext.size))}};
    case msgpack::type::ARRAY: {
      nlohmann::json array = nlohmann::json::array();
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        array.push_back(to_json_value(o.via.array.ptr[i]));
      }
      return array;
    }
    case msgpack::type::MAP: {
      nlohmann::json object = nlohmann::json::object();
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const msgpack::object_kv& kv = o.via.map.ptr[i];
        std::string name = kv.key.type == msgpack::type::STR
                               ? std::string(kv.key.via.str.ptr, kv.key.via.str.size)
                               : to_json_value(kv.key).dump();
        object[std::move(name)] = to_json_value(kv.val);
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

// msgpack's nil is the single byte 0xc0; spelled out so a default Value allocates nothing.
Value::Value() : bytes_(nil_bytes()) {}

Value Value::from_msgpack(std::string bytes) {
  const detail::DocumentScan scan = detail::scan_document(bytes);
  if (scan.problem != detail::DocumentProblem::none) {
    throw CorruptionError(
        fmt::format("cached value is not valid msgpack: {}", detail::describe(scan, bytes)));
  }
  Value value;
  value.bytes_ = std::move(bytes);
  return value;
}

msgpack::object_handle Value::unpack_document() const {
  // Bytes an adapter adopted were never scanned: the depth limit also bounds every recursion
  // over the unpacked object (to_json, as<T>).
  static const msgpack::unpack_limit limit(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                                           0xffffffff, kMaxValueDepth);
  try {
    return msgpack::unpack(bytes_.data(), bytes_.size(), nullptr, nullptr, limit);
  } catch (const msgpack::depth_size_overflow&) {
    throw CorruptionError(fmt::format(
        "cached value is not valid msgpack: arrays and maps nest deeper than kMaxValueDepth ({})",
        kMaxValueDepth));
  } catch (const msgpack::unpack_error& e) {
    detail::throw_corrupt_value(e.what());
  }
}

std::string Value::to_json() const {
  msgpack::object_handle handle = unpack_document();
  return to_json_value(handle.get()).dump(-1, ' ', false,
                                          nlohmann::json::error_handler_t::replace);
}

bool Value::is_nil() const { return bytes_.size() == 1 && static_cast<unsigned char>(bytes_[0]) == 0xc0; }

PORTICO_CACHE_END_NAMESPACE
