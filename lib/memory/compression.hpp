// zstd compression of stored values, with counters for get_compression_stats().
//
// Compression runs outside the shard locks (on the caller's thread, before the shard is
// locked; decompression after the entry has been copied out), so a large value never holds
// up other threads working on the same shard.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/value.hpp>

#include "stored_value.hpp"

namespace portico::cache::internal {

class ValueCompressor {
 public:
  // enabled = false stores every value as it is.
  ValueCompressor(bool enabled, std::size_t threshold);

  // Compresses values whose msgpack encoding is at least `threshold` bytes long, and keeps
  // the compressed frame only when it is smaller than the encoding.
  StoredValue pack(Value value);

  // The Value a stored form stands for. Throws CorruptionError when a frame does not
  // decompress to exactly the recorded size or the result is not one msgpack document.
  Value unpack(StoredValue stored);

  CompressionStats stats() const;

 private:
  bool enabled_;
  std::size_t threshold_;
  std::atomic<std::uint64_t> compressions_{0};
  std::atomic<std::uint64_t> decompressions_{0};
  std::atomic<std::uint64_t> bytes_in_{0};
  std::atomic<std::uint64_t> bytes_out_{0};
};

}  // namespace portico::cache::internal
