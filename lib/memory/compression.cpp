#include "compression.hpp"

#include <memory>
#include <new>
#include <string>
#include <utility>

#include <fmt/format.h>
#include <zstd.h>

#include <portico/cache/errors.hpp>

namespace portico::cache::internal {

namespace {

struct CompressionContextDeleter {
  void operator()(ZSTD_CCtx* context) const { ZSTD_freeCCtx(context); }
};
struct DecompressionContextDeleter {
  void operator()(ZSTD_DCtx* context) const { ZSTD_freeDCtx(context); }
};

// zstd contexts are costly to set up and not thread-safe; one per thread is reused for every
// value that thread compresses, whichever adapter it belongs to.
ZSTD_CCtx& compression_context() {
  thread_local const std::unique_ptr<ZSTD_CCtx, CompressionContextDeleter> context(
      ZSTD_createCCtx());
  if (!context) throw std::bad_alloc();
  return *context;
}

ZSTD_DCtx& decompression_context() {
  thread_local const std::unique_ptr<ZSTD_DCtx, DecompressionContextDeleter> context(
      ZSTD_createDCtx());
  if (!context) throw std::bad_alloc();
  return *context;
}

}  // namespace

ValueCompressor::ValueCompressor(bool enabled, std::size_t threshold)
    : enabled_(enabled), threshold_(threshold) {}

StoredValue ValueCompressor::pack(Value value) {
  const std::string& raw = value.msgpack();
  if (!enabled_ || raw.size() < threshold_) return value;

  std::string frame(ZSTD_compressBound(raw.size()), '\0');
  const std::size_t written = ZSTD_compressCCtx(&compression_context(), frame.data(), frame.size(),
                                                raw.data(), raw.size(), ZSTD_CLEVEL_DEFAULT);
  // The output buffer is compressBound-sized, so failing here means zstd itself is broken;
  // storing the value uncompressed is still correct.
  if (ZSTD_isError(written)) return value;

  compressions_.fetch_add(1, std::memory_order_relaxed);
  bytes_in_.fetch_add(raw.size(), std::memory_order_relaxed);
  bytes_out_.fetch_add(written, std::memory_order_relaxed);
  if (written >= raw.size()) return value;

  frame.resize(written);
  frame.shrink_to_fit();  // the bound can be far larger than the frame
  return CompressedValue{.frame = std::move(frame), .raw_size = raw.size()};
}

Value ValueCompressor::unpack(StoredValue stored) {
  if (auto* value = std::get_if<Value>(&stored)) return std::move(*value);

  const CompressedValue& compressed = std::get<CompressedValue>(stored);
  std::string raw(compressed.raw_size, '\0');
  const std::size_t written =
      ZSTD_decompressDCtx(&decompression_context(), raw.data(), raw.size(),
                          compressed.frame.data(), compressed.frame.size());
  if (ZSTD_isError(written)) {
    throw CorruptionError(
        fmt::format("compressed cache value does not decompress: {}", ZSTD_getErrorName(written)));
  }
  if (written != compressed.raw_size) {
    throw CorruptionError(fmt::format("compressed cache value decompressed to {} bytes, not {}",
                                      written, compressed.raw_size));
  }
  decompressions_.fetch_add(1, std::memory_order_relaxed);
  return Value::from_msgpack(std::move(raw));
}

CompressionStats ValueCompressor::stats() const {
  return CompressionStats{
      .compressions = compressions_.load(std::memory_order_relaxed),
      .decompressions = decompressions_.load(std::memory_order_relaxed),
      .bytes_in = bytes_in_.load(std::memory_order_relaxed),
      .bytes_out = bytes_out_.load(std::memory_order_relaxed),
  };
}

}  // namespace portico::cache::internal
