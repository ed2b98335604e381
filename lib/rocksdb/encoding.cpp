#include "rocksdb/encoding.hpp"

#include <msgpack.hpp>

#include <fmt/format.h>

#include <portico/cache/errors.hpp>

namespace portico::cache::internal {

namespace {

constexpr std::size_t kNsLengthBytes = 4;
constexpr std::size_t kTimeBytes = 8;
constexpr std::uint64_t kSignFlip = std::uint64_t{1} << 63;

// msgpack::packer writes to any stream with write(const char*, size_t).
struct StringSink {
  std::string& out;
  void write(const char* data, std::size_t size) { out.append(data, size); }
};

void put_u32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

std::uint32_t read_u32(std::string_view bytes) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return v;
}

void put_varint32(std::string& out, std::uint32_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

// Reads a varint32 at the start of `bytes`; returns the bytes it used, 0 if malformed.
std::size_t read_varint32(std::string_view bytes, std::uint32_t& v) {
  v = 0;
  for (std::size_t i = 0; i < bytes.size() && i < 5; ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    v |= std::uint32_t(byte & 0x7f) << (7 * i);
    if ((byte & 0x80) == 0) return i + 1;
  }
  return 0;
}

[[noreturn]] void corrupt_record(std::string_view why) {
  throw CorruptionError(fmt::format("cache entry record is damaged: {}", why));
}

}  // namespace

std::int64_t to_nanos(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

TimePoint from_nanos(std::int64_t nanos) {
  return TimePoint(std::chrono::duration_cast<TimePoint::duration>(std::chrono::nanoseconds(nanos)));
}

void put_time(std::string& out, std::int64_t nanos) {
  const std::uint64_t v = static_cast<std::uint64_t>(nanos) ^ kSignFlip;
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
}

std::int64_t read_time(std::string_view bytes) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < kTimeBytes; ++i) v = (v << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<std::int64_t>(v ^ kSignFlip);
}

void encode_id_into(const CacheKey& key, std::string& id) {
  id.clear();
  const std::size_t ns_size = key.ns ? key.ns->size() : 0;
  id.reserve(ns_size + 1 + key.key.size() + kNsLengthBytes);
  if (key.ns) id.append(*key.ns).push_back(':');
  id.append(key.key);
  put_u32(id, static_cast<std::uint32_t>(ns_size));
}

std::string encode_id(const CacheKey& key) {
  std::string id;
  encode_id_into(key, id);
  return id;
}

std::optional<CacheKey> decode_id(std::string_view id) {
  if (id.size() <= kNsLengthBytes) return std::nullopt;
  const std::string_view full = id_full_key(id);
  const std::uint32_t ns_size = read_u32(id.substr(full.size()));
  if (ns_size == 0) return CacheKey{.key = std::string(full)};
  if (std::size_t(ns_size) + 2 > full.size() || full[ns_size] != ':') return std::nullopt;
  return CacheKey{.key = std::string(full.substr(ns_size + 1)),
                  .ns = std::string(full.substr(0, ns_size))};
}

std::string_view id_full_key(std::string_view id) {
  return id.size() < kNsLengthBytes ? std::string_view{} : id.substr(0, id.size() - kNsLengthBytes);
}

std::string encode_record(const RecordHeader& header, std::string_view value_msgpack) {
  std::string out;
  out.reserve(32 + value_msgpack.size());
  StringSink sink{out};
  msgpack::packer<StringSink> packer(sink);
  packer.pack_array(6);
  packer.pack(kRecordFormat);
  packer.pack(header.created_ns);
  if (header.expires_ns) {
    packer.pack(*header.expires_ns);
  } else {
    packer.pack_nil();
  }
  packer.pack(header.hit_count);
  packer.pack(header.last_accessed_ns);
  packer.pack(header.tags);
  out.append(value_msgpack);
  return out;
}

namespace {

// Reads the record header, which encode_record writes with a fixed shape, without msgpack's
// general unpacker: that one allocates a zone per call, which dominated the cost of a get.
// Accepts every msgpack encoding of the types involved (as any msgpack writer may produce).
class HeaderReader {
 public:
  explicit HeaderReader(std::string_view bytes) : bytes_(bytes) {}

  std::size_t offset() const { return pos_; }

  std::uint32_t array_size() {
    const std::uint8_t tag = byte();
    if ((tag & 0xf0) == 0x90) return tag & 0x0f;
    if (tag == 0xdc) return static_cast<std::uint32_t>(big_endian(2));
    if (tag == 0xdd) return static_cast<std::uint32_t>(big_endian(4));
    fail("expected an array");
  }

  bool next_is_nil() {
    need(1);
    if (static_cast<std::uint8_t>(bytes_[pos_]) != 0xc0) return false;
    ++pos_;
    return true;
  }

  std::int64_t integer() {
    const std::uint8_t tag = byte();
    if (tag <= 0x7f) return tag;
    if (tag >= 0xe0) return static_cast<std::int8_t>(tag);
    switch (tag) {
      case 0xcc: return static_cast<std::int64_t>(big_endian(1));
      case 0xcd: return static_cast<std::int64_t>(big_endian(2));
      case 0xce: return static_cast<std::int64_t>(big_endian(4));
      case 0xcf: {
        const std::uint64_t v = big_endian(8);
        if (v > static_cast<std::uint64_t>(INT64_MAX)) fail("integer out of range");
        return static_cast<std::int64_t>(v);
      }
      case 0xd0: return static_cast<std::int8_t>(big_endian(1));
      case 0xd1: return static_cast<std::int16_t>(big_endian(2));
      case 0xd2: return static_cast<std::int32_t>(big_endian(4));
      case 0xd3: return static_cast<std::int64_t>(big_endian(8));
      default: fail("expected an integer");
    }
  }

  std::string_view string() {
    const std::uint8_t tag = byte();
    std::size_t size = 0;
    if ((tag & 0xe0) == 0xa0) {
      size = tag & 0x1f;
    } else if (tag == 0xd9) {
      size = big_endian(1);
    } else if (tag == 0xda) {
      size = big_endian(2);
    } else if (tag == 0xdb) {
      size = big_endian(4);
    } else {
      fail("expected a string");
    }
    need(size);
    const std::string_view out = bytes_.substr(pos_, size);
    pos_ += size;
    return out;
  }

 private:
  [[noreturn]] static void fail(std::string_view why) { throw CorruptionError(fmt::format("cache entry record is damaged: {}", why)); }

  void need(std::size_t n) const {
    if (bytes_.size() - pos_ < n) fail("truncated");
  }
  std::uint8_t byte() {
    need(1);
    return static_cast<std::uint8_t>(bytes_[pos_++]);
  }
  std::uint64_t big_endian(std::size_t n) {
    need(n);
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<std::uint8_t>(bytes_[pos_ + i]);
    pos_ += n;
    return v;
  }

  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// Reads the header fields up to and including the expiry.
void read_header_start(HeaderReader& reader, RecordHeader& header) {
  if (reader.array_size() != 6) corrupt_record("bad header");
  if (reader.integer() != kRecordFormat) corrupt_record("unknown record format");
  header.created_ns = reader.integer();
  if (!reader.next_is_nil()) header.expires_ns = reader.integer();
}

}  // namespace

std::optional<DecodedRecord> decode_record_if_intact(std::string_view bytes) {
  try {
    return decode_record(bytes);
  } catch (const CorruptionError&) {
    return std::nullopt;
  }
}

DecodedRecord decode_record(std::string_view bytes) {
  DecodedRecord record;
  HeaderReader reader(bytes);
  read_header_start(reader, record.header);
  const std::int64_t hits = reader.integer();
  if (hits < 0) corrupt_record("negative hit count");
  record.header.hit_count = static_cast<std::uint64_t>(hits);
  record.header.last_accessed_ns = reader.integer();
  const std::uint32_t tags = reader.array_size();
  if (tags > bytes.size()) corrupt_record("bad tag count");
  record.header.tags.reserve(tags);
  for (std::uint32_t i = 0; i < tags; ++i) record.header.tags.emplace_back(reader.string());
  if (reader.offset() >= bytes.size()) corrupt_record("missing value");
  record.value_msgpack = bytes.substr(reader.offset());
  return record;
}

bool decode_record_expiry(std::string_view bytes, std::optional<std::int64_t>& expires_ns) {
  try {
    HeaderReader reader(bytes);
    RecordHeader header;
    read_header_start(reader, header);
    expires_ns = header.expires_ns;
    return true;
  } catch (const CorruptionError&) {
    return false;
  }
}

std::string group_prefix(std::string_view group) {
  std::string out;
  out.reserve(5 + group.size());
  put_varint32(out, static_cast<std::uint32_t>(group.size()));
  out.append(group);
  return out;
}

std::string group_index_key(std::string_view group, std::string_view id) {
  std::string out = group_prefix(group);
  out.append(id);
  return out;
}

namespace {
// Splits a tags/namespaces key into (group, id); false when malformed.
bool split_group_key(std::string_view key, std::string_view& group, std::string_view& id) {
  std::uint32_t size = 0;
  const std::size_t used = read_varint32(key, size);
  if (used == 0 || key.size() < used + size + kNsLengthBytes + 1) return false;
  group = key.substr(used, size);
  id = key.substr(used + size);
  return true;
}
}  // namespace

std::string_view group_index_id(std::string_view index_key) {
  std::string_view group;
  std::string_view id;
  return split_group_key(index_key, group, id) ? id : std::string_view{};
}

std::string_view group_index_group(std::string_view index_key) {
  std::string_view group;
  std::string_view id;
  return split_group_key(index_key, group, id) ? group : std::string_view{};
}

std::string created_index_key(std::int64_t created_ns, std::string_view id) {
  std::string out;
  out.reserve(kTimeBytes + id.size());
  put_time(out, created_ns);
  out.append(id);
  return out;
}

std::string_view created_index_id(std::string_view key) {
  return key.size() <= kTimeBytes + kNsLengthBytes ? std::string_view{} : key.substr(kTimeBytes);
}

std::string expiry_index_key(std::int64_t expires_ns, std::int64_t created_ns,
                             std::string_view id) {
  std::string out;
  out.reserve(2 * kTimeBytes + id.size());
  put_time(out, expires_ns);
  put_time(out, created_ns);
  out.append(id);
  return out;
}

std::optional<ExpiryIndexEntry> decode_expiry_index_key(std::string_view key) {
  if (key.size() <= 2 * kTimeBytes + kNsLengthBytes) return std::nullopt;
  return ExpiryIndexEntry{.expires_ns = read_time(key),
                          .created_ns = read_time(key.substr(kTimeBytes)),
                          .id = key.substr(2 * kTimeBytes)};
}

std::string encode_index_value(std::int64_t created_ns, std::optional<std::int64_t> expires_ns) {
  std::string out;
  out.reserve(2 * kTimeBytes);
  put_time(out, created_ns);
  if (expires_ns) put_time(out, *expires_ns);
  return out;
}

std::optional<IndexValue> decode_index_value(std::string_view bytes) {
  if (bytes.size() != kTimeBytes && bytes.size() != 2 * kTimeBytes) return std::nullopt;
  IndexValue value{.created_ns = read_time(bytes)};
  if (bytes.size() == 2 * kTimeBytes) value.expires_ns = read_time(bytes.substr(kTimeBytes));
  return value;
}

std::string prefix_successor(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty()) {
    auto& last = reinterpret_cast<unsigned char&>(out.back());
    if (last != 0xff) {
      ++last;
      return out;
    }
    out.pop_back();
  }
  return out;
}

}  // namespace portico::cache::internal
