#include "service/envelope.hpp"

#include <cstddef>
#include <string>
#include <string_view>

#include <portico/cache/errors.hpp>

namespace portico::cache::internal {

namespace {

constexpr std::uint32_t kVersion = 1;

// Rounded up: a stored expiry never comes before the real one.
std::int64_t to_micros(TimePoint t) {
  return std::chrono::ceil<std::chrono::microseconds>(t.time_since_epoch()).count();
}

TimePoint from_micros(std::int64_t us) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::microseconds(us)));
}

// The offset of the extension payload, or 0 when `bytes` does not start with an extension
// header of the envelope's type. Envelopes are written as ext 8/16/32, but every extension
// header is checked, so that any top-level value of the reserved type is recognised.
std::size_t payload_offset(std::string_view bytes) {
  if (bytes.empty()) return 0;
  std::size_t type_at = 0;
  switch (static_cast<unsigned char>(bytes[0])) {
    case 0xd4: case 0xd5: case 0xd6: case 0xd7: case 0xd8:  // fixext 1/2/4/8/16
      type_at = 1;
      break;
    case 0xc7:  // ext 8
      type_at = 2;
      break;
    case 0xc8:  // ext 16
      type_at = 3;
      break;
    case 0xc9:  // ext 32
      type_at = 5;
      break;
    default:
      return 0;
  }
  if (bytes.size() <= type_at) return 0;
  if (static_cast<std::int8_t>(bytes[type_at]) != kEnvelopeExtType) return 0;
  return type_at + 1;
}

[[noreturn]] void corrupt(std::string_view what) {
  throw CorruptionError("cached value envelope is damaged: " + std::string(what));
}

}  // namespace

bool is_envelope(const Value& value) { return payload_offset(value.msgpack()) != 0; }

Value wrap_envelope(const Envelope& envelope) {
  msgpack::sbuffer header;
  msgpack::packer<msgpack::sbuffer> header_packer(header);
  header_packer.pack_array(4);
  header_packer.pack(kVersion);
  header_packer.pack(to_micros(envelope.expires_at));
  header_packer.pack(to_micros(envelope.stale_until));
  header_packer.pack(static_cast<std::int64_t>(envelope.delta.count()));

  const std::string& inner = envelope.value.msgpack();
  msgpack::sbuffer out;
  msgpack::packer<msgpack::sbuffer> packer(out);
  packer.pack_ext(header.size() + inner.size(), kEnvelopeExtType);
  packer.pack_ext_body(header.data(), header.size());
  packer.pack_ext_body(inner.data(), inner.size());
  return Value::from_msgpack(std::string(out.data(), out.size()));
}

Envelope unwrap_envelope(const Value& value) {
  const std::string& bytes = value.msgpack();
  const std::size_t offset = payload_offset(bytes);
  if (offset == 0) corrupt("not an envelope");
  // Value guarantees one complete document, so the payload is the rest of the bytes.
  const std::string_view payload = std::string_view(bytes).substr(offset);
  std::size_t used = 0;
  msgpack::object_handle handle;
  try {
    handle = msgpack::unpack(payload.data(), payload.size(), used);
  } catch (const msgpack::unpack_error& e) {
    corrupt(e.what());
  }
  const msgpack::object& header = handle.get();
  if (header.type != msgpack::type::ARRAY || header.via.array.size < 4) corrupt("bad header");
  Envelope envelope;
  try {
    const msgpack::object* fields = header.via.array.ptr;
    if (fields[0].as<std::uint32_t>() != kVersion) corrupt("unknown version");
    envelope.expires_at = from_micros(fields[1].as<std::int64_t>());
    envelope.stale_until = from_micros(fields[2].as<std::int64_t>());
    envelope.delta = std::chrono::microseconds(fields[3].as<std::int64_t>());
  } catch (const msgpack::type_error& e) {
    corrupt(e.what());
  }
  try {
    envelope.value = Value::from_msgpack(std::string(payload.substr(used)));
  } catch (const CorruptionError& e) {
    corrupt(e.what());
  }
  return envelope;
}

}  // namespace portico::cache::internal
