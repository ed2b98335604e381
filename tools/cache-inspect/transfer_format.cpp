#include "transfer_format.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>
#include <msgpack.hpp>

#include <portico/cache/errors.hpp>

#include "core/limit_checks.hpp"
#include "util/base64.hpp"

namespace portico::cache::inspect {

namespace {

using Packer = msgpack::packer<msgpack::sbuffer>;

// Exact JSON of a msgpack object, or nullopt for anything JSON cannot carry as such.
std::optional<Json> json_of(const msgpack::object& o) {
  switch (o.type) {
    case msgpack::type::NIL:
      return Json(nullptr);
    case msgpack::type::BOOLEAN:
      return Json(o.via.boolean);
    case msgpack::type::POSITIVE_INTEGER:
      return Json(o.via.u64);
    case msgpack::type::NEGATIVE_INTEGER:
      return Json(o.via.i64);
    case msgpack::type::FLOAT64:
      if (!std::isfinite(o.via.f64)) return std::nullopt;
      return Json(o.via.f64);
    case msgpack::type::STR: {
      const std::string_view text(o.via.str.ptr, o.via.str.size);
      if (!is_valid_utf8(text)) return std::nullopt;
      return Json(std::string(text));
    }
    case msgpack::type::ARRAY: {
      Json array = Json::array();
      for (std::uint32_t i = 0; i < o.via.array.size; ++i) {
        std::optional<Json> item = json_of(o.via.array.ptr[i]);
        if (!item) return std::nullopt;
        array.push_back(std::move(*item));
      }
      return array;
    }
    case msgpack::type::MAP: {
      Json object = Json::object();
      for (std::uint32_t i = 0; i < o.via.map.size; ++i) {
        const msgpack::object_kv& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR) return std::nullopt;
        std::string name(kv.key.via.str.ptr, kv.key.via.str.size);
        if (!is_valid_utf8(name) || object.contains(name)) return std::nullopt;
        std::optional<Json> value = json_of(kv.val);
        if (!value) return std::nullopt;
        object[std::move(name)] = std::move(*value);
      }
      return object;
    }
    case msgpack::type::FLOAT32:  // would come back as float64
    case msgpack::type::BIN:
    case msgpack::type::EXT:
      return std::nullopt;
  }
  return std::nullopt;
}

void pack_json(Packer& packer, const Json& j) {
  switch (j.type()) {
    case Json::value_t::null:
      packer.pack_nil();
      return;
    case Json::value_t::boolean:
      j.get<bool>() ? packer.pack_true() : packer.pack_false();
      return;
    case Json::value_t::number_unsigned:
      packer.pack_uint64(j.get<std::uint64_t>());
      return;
    case Json::value_t::number_integer:
      packer.pack_int64(j.get<std::int64_t>());
      return;
    case Json::value_t::number_float:
      packer.pack_double(j.get<double>());
      return;
    case Json::value_t::string: {
      const auto& text = j.get_ref<const std::string&>();
      packer.pack_str(static_cast<std::uint32_t>(text.size()));
      packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
      return;
    }
    case Json::value_t::array:
      packer.pack_array(static_cast<std::uint32_t>(j.size()));
      for (const Json& item : j) pack_json(packer, item);
      return;
    case Json::value_t::object:
      packer.pack_map(static_cast<std::uint32_t>(j.size()));
      for (const auto& [name, value] : j.items()) {
        packer.pack_str(static_cast<std::uint32_t>(name.size()));
        packer.pack_str_body(name.data(), static_cast<std::uint32_t>(name.size()));
        pack_json(packer, value);
      }
      return;
    case Json::value_t::binary: {
      const auto& bytes = j.get_binary();
      packer.pack_bin(static_cast<std::uint32_t>(bytes.size()));
      packer.pack_bin_body(reinterpret_cast<const char*>(bytes.data()),
                           static_cast<std::uint32_t>(bytes.size()));
      return;
    }
    case Json::value_t::discarded:
      break;
  }
  throw std::invalid_argument("value is not a JSON document");
}

// A key, namespace or tag: a JSON string, or {"base64": ...} for bytes that are not UTF-8.
Json text_json(std::string_view text) {
  if (is_valid_utf8(text)) return Json(std::string(text));
  return Json{{"base64", internal::base64_encode(text)}};
}

std::string text_from_json(const Json& j, std::string_view field) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_object() && j.size() == 1 && j.contains("base64") && j["base64"].is_string()) {
    if (auto bytes = internal::base64_decode(j["base64"].get_ref<const std::string&>())) {
      return std::move(*bytes);
    }
    throw std::invalid_argument(fmt::format("\"{}\" holds invalid base64", field));
  }
  throw std::invalid_argument(
      fmt::format("\"{}\" must be a string (or {{\"base64\": ...}})", field));
}

std::optional<TimePoint> time_from_json(const Json& line, const char* field) {
  if (!line.contains(field) || line[field].is_null()) return std::nullopt;
  if (!line[field].is_string()) {
    throw std::invalid_argument(fmt::format("\"{}\" must be an RFC 3339 time or null", field));
  }
  const auto& text = line[field].get_ref<const std::string&>();
  std::optional<TimePoint> t = parse_time(text);
  if (!t) {
    throw std::invalid_argument(
        fmt::format("\"{}\": '{}' is not an RFC 3339 UTC time such as 2025-01-02T03:04:05Z",
                    field, text));
  }
  return t;
}

}  // namespace

std::optional<Json> lossless_json(std::string_view msgpack_bytes) {
  // The depth limit keeps json_of's recursion bounded; a deeper (damaged) value is written
  // as its bytes.
  static const msgpack::unpack_limit limit(0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
                                           0xffffffff, kMaxValueDepth);
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(msgpack_bytes.data(), msgpack_bytes.size(), nullptr, nullptr, limit);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  std::optional<Json> document = json_of(handle.get());
  if (!document) return std::nullopt;
  // The final word: the JSON must encode back to the very same bytes.
  if (msgpack_of_json(*document) != msgpack_bytes) return std::nullopt;
  return document;
}

std::string msgpack_of_json(const Json& document) {
  msgpack::sbuffer buffer;
  Packer packer(buffer);
  pack_json(packer, document);
  return std::string(buffer.data(), buffer.size());
}

Json export_line(const internal::StoredEntry& entry, ValueFormat format) {
  Json line = Json::object();
  line["key"] = text_json(entry.key.key);
  line["ns"] = entry.key.ns ? text_json(*entry.key.ns) : Json(nullptr);
  Json tags = Json::array();
  for (const std::string& tag : entry.key.tags) tags.push_back(text_json(tag));
  line["tags"] = std::move(tags);
  line["created_at"] = format_time(internal::from_nanos(entry.header.created_ns));
  line["expires_at"] = entry.header.expires_ns
                           ? Json(format_time(internal::from_nanos(*entry.header.expires_ns)))
                           : Json(nullptr);
  line["hit_count"] = entry.header.hit_count;
  std::optional<Json> value;
  if (format == ValueFormat::json) value = lossless_json(entry.value_msgpack);
  if (value) {
    line["value"] = std::move(*value);
  } else {
    line["value_msgpack_base64"] = internal::base64_encode(entry.value_msgpack);
  }
  return line;
}

ExportedLine export_line_text(const internal::StoredEntry& entry, ValueFormat format) {
  const auto render = [&](ValueFormat chosen) {
    const Json line = export_line(entry, chosen);
    return ExportedLine{.text = line.dump(-1, ' ', false, Json::error_handler_t::strict),
                        .value_as_bytes = line.contains("value_msgpack_base64")};
  };
  ExportedLine line = render(format);
  if (line.text.size() > kMaxLineBytes && !line.value_as_bytes) line = render(ValueFormat::msgpack);
  return line;
}

ImportedEntry parse_import_line(std::string_view text) {
  // Refuses deep nesting while parsing: pack_json and msgpack_of_json recurse over the result.
  // The line's own object is depth 0, so a value's containers are counted from 1.
  const Json::parser_callback_t depth_limit = [](int depth, Json::parse_event_t event, Json&) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        static_cast<std::size_t>(depth) > kMaxValueDepth) {
      throw std::invalid_argument(
          fmt::format("arrays and objects nest deeper than kMaxValueDepth ({})", kMaxValueDepth));
    }
    return true;
  };
  Json line;
  try {
    line = Json::parse(text, depth_limit);
  } catch (const Json::parse_error& e) {
    throw std::invalid_argument(fmt::format("not a JSON document: {}", e.what()));
  }
  if (!line.is_object()) throw std::invalid_argument("not a JSON object");
  ImportedEntry entry;
  if (!line.contains("key")) throw std::invalid_argument("no \"key\"");
  entry.key.key = text_from_json(line["key"], "key");
  if (line.contains("ns") && !line["ns"].is_null()) entry.key.ns = text_from_json(line["ns"], "ns");
  if (line.contains("tags") && !line["tags"].is_null()) {
    if (!line["tags"].is_array()) throw std::invalid_argument("\"tags\" must be an array");
    for (const Json& tag : line["tags"]) entry.key.tags.push_back(text_from_json(tag, "tags"));
  }
  entry.key.validate();
  time_from_json(line, "created_at");  // checked, not used: an imported entry is new
  entry.expires_at = time_from_json(line, "expires_at");

  const bool has_json = line.contains("value");
  const bool has_bytes = line.contains("value_msgpack_base64");
  if (has_json == has_bytes) {
    throw std::invalid_argument("needs exactly one of \"value\" and \"value_msgpack_base64\"");
  }
  if (has_json) {
    entry.value = Value::from_msgpack(msgpack_of_json(line["value"]));
  } else {
    const Json& encoded = line["value_msgpack_base64"];
    if (!encoded.is_string()) throw std::invalid_argument("\"value_msgpack_base64\" must be a string");
    std::optional<std::string> bytes = internal::base64_decode(encoded.get_ref<const std::string&>());
    if (!bytes) throw std::invalid_argument("\"value_msgpack_base64\" is not valid base64");
    try {
      entry.value = Value::from_msgpack(std::move(*bytes));
    } catch (const CorruptionError& e) {
      throw std::invalid_argument(
          fmt::format("\"value_msgpack_base64\" is not one msgpack document: {}", e.what()));
    }
  }
  detail::validate_value(entry.value);  // the limits set_many applies, checked up front
  return entry;
}

}  // namespace portico::cache::inspect
