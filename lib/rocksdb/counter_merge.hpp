// A merge operator that adds signed 64-bit deltas: counters (entry count, hits, misses) are
// updated with Merge() in the same write batch as the data, with no read-modify-write.
// Values and operands are 8 bytes, little-endian, two's complement. It never throws: a
// malformed operand is reported to RocksDB as a merge failure (corruption).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <rocksdb/merge_operator.h>

namespace portico::cache::internal {

std::string encode_counter(std::int64_t value);
std::optional<std::int64_t> decode_counter(std::string_view bytes);

class CounterAddOperator final : public rocksdb::AssociativeMergeOperator {
 public:
  // The name is stored in the database's OPTIONS file: never change it.
  const char* Name() const override { return "portico.CounterAdd"; }
  bool Merge(const rocksdb::Slice& key, const rocksdb::Slice* existing_value,
             const rocksdb::Slice& value, std::string* new_value,
             rocksdb::Logger* logger) const override;
};

}  // namespace portico::cache::internal
