#include "rocksdb/counter_merge.hpp"

#include <cstring>

namespace portico::cache::internal {

std::string encode_counter(std::int64_t value) {
  const auto bits = static_cast<std::uint64_t>(value);
  std::string out(8, '\0');
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<char>(bits >> (8 * i));
  return out;
}

std::optional<std::int64_t> decode_counter(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 8; ++i) {
    bits |= std::uint64_t(static_cast<unsigned char>(bytes[i])) << (8 * i);
  }
  return static_cast<std::int64_t>(bits);
}

bool CounterAddOperator::Merge(const rocksdb::Slice& /*key*/,
                               const rocksdb::Slice* existing_value,
                               const rocksdb::Slice& value, std::string* new_value,
                               rocksdb::Logger* /*logger*/) const {
  std::int64_t base = 0;
  if (existing_value != nullptr) {
    const auto decoded = decode_counter(existing_value->ToStringView());
    if (!decoded) return false;
    base = *decoded;
  }
  const auto delta = decode_counter(value.ToStringView());
  if (!delta) return false;
  // Wrap-around rather than overflow UB: counters never come near 2^63 in practice.
  *new_value = encode_counter(static_cast<std::int64_t>(static_cast<std::uint64_t>(base) +
                                                        static_cast<std::uint64_t>(*delta)));
  return true;
}

}  // namespace portico::cache::internal
