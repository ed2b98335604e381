// zstd compression of stored values and its counters.
#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include <portico/cache/errors.hpp>
#include <portico/cache/memory_adapter.hpp>

#include "helpers.hpp"
#include "memory/compression.hpp"

using namespace portico::cache;
using portico::cache::testing::compressible_text;
using portico::cache::testing::key;
using portico::cache::testing::memory_usage;
using portico::cache::testing::random_bytes;

TEST_CASE("a compressible value at or above the threshold is stored compressed") {
  MemoryCacheAdapter cache(
      MemoryOptions{.enable_compression = true, .compression_threshold = 1024});
  const Value value(compressible_text(64 * 1024));
  cache.set(key("text"), value);

  const CompressionStats after_set = cache.get_compression_stats();
  CHECK(after_set.compressions == 1);
  CHECK(after_set.bytes_in == value.size_bytes());
  CHECK(after_set.bytes_out > 0);
  CHECK(after_set.bytes_out < after_set.bytes_in / 10);
  CHECK(after_set.decompressions == 0);

  const auto entry = cache.get(key("text"));
  REQUIRE(entry.has_value());
  CHECK(entry->value == value);
  CHECK(cache.get_compression_stats().decompressions == 1);
}

TEST_CASE("the threshold is inclusive, and smaller values are left alone") {
  const Value value(compressible_text(2000));
  const std::size_t size = value.size_bytes();
  SUBCASE("exactly at the threshold") {
    MemoryCacheAdapter cache(
        MemoryOptions{.enable_compression = true, .compression_threshold = size});
    cache.set(key("k"), value);
    CHECK(cache.get_compression_stats().compressions == 1);
  }
  SUBCASE("one byte below") {
    MemoryCacheAdapter cache(
        MemoryOptions{.enable_compression = true, .compression_threshold = size + 1});
    cache.set(key("k"), value);
    CHECK(cache.get(key("k"))->value == value);
    const CompressionStats stats = cache.get_compression_stats();
    CHECK(stats.compressions == 0);
    CHECK(stats.decompressions == 0);
    CHECK(stats.bytes_in == 0);
    CHECK(stats.bytes_out == 0);
  }
}

TEST_CASE("incompressible data is stored raw") {
  MemoryCacheAdapter cache(MemoryOptions{.enable_compression = true, .compression_threshold = 0});
  const Value value(random_bytes(8192));
  cache.set(key("noise"), value);
  // The compressor ran, but its output was no smaller, so the raw bytes were kept...
  CHECK(cache.get_compression_stats().compressions == 1);
  CHECK(cache.get_compression_stats().bytes_out >= value.size_bytes());
  // ...and reading them back needs no decompression.
  const auto entry = cache.get(key("noise"));
  REQUIRE(entry.has_value());
  CHECK(entry->value == value);
  CHECK(cache.get_compression_stats().decompressions == 0);
}

TEST_CASE("compression off compresses nothing") {
  MemoryCacheAdapter cache;
  cache.set(key("text"), compressible_text(64 * 1024));
  CHECK(cache.get(key("text")).has_value());
  const CompressionStats stats = cache.get_compression_stats();
  CHECK(stats.compressions == 0);
  CHECK(stats.decompressions == 0);
}

TEST_CASE("compressed values take less memory") {
  MemoryCacheAdapter plain;
  MemoryCacheAdapter compressed(MemoryOptions{.enable_compression = true});
  const std::uint64_t plain_empty = memory_usage(plain);
  const std::uint64_t compressed_empty = memory_usage(compressed);
  for (int i = 0; i < 20; ++i) {
    plain.set(key("k" + std::to_string(i)), compressible_text(32 * 1024));
    compressed.set(key("k" + std::to_string(i)), compressible_text(32 * 1024));
  }
  CHECK(memory_usage(compressed) - compressed_empty < (memory_usage(plain) - plain_empty) / 4);
}

TEST_CASE("compressed values of every shape round-trip, also through batches") {
  MemoryCacheAdapter cache(MemoryOptions{.enable_compression = true, .compression_threshold = 16});
  const std::map<std::string, std::vector<int>> document{
      {"a", std::vector<int>(1000, 7)}, {"b", std::vector<int>(500, -3)}};
  cache.set_many({CacheItem{.key = key("doc"), .value = document},
                  CacheItem{.key = key("text"), .value = compressible_text(5000)}});
  const auto entries = cache.get_many({key("doc"), key("text")});
  REQUIRE(entries[0].has_value());
  REQUIRE(entries[1].has_value());
  CHECK(entries[0]->as<std::map<std::string, std::vector<int>>>() == document);
  CHECK(entries[1]->as<std::string>() == compressible_text(5000));
  CHECK(cache.get_compression_stats().decompressions == 2);
}

TEST_CASE("a damaged frame is a CorruptionError") {
  using portico::cache::internal::CompressedValue;
  using portico::cache::internal::ValueCompressor;
  ValueCompressor compressor(true, 0);

  CHECK_THROWS_AS(compressor.unpack(CompressedValue{.frame = "not zstd at all", .raw_size = 10}),
                  CorruptionError);

  const Value value(compressible_text(4096));
  auto packed = compressor.pack(value);
  REQUIRE(std::holds_alternative<CompressedValue>(packed));
  SUBCASE("wrong recorded size") {
    std::get<CompressedValue>(packed).raw_size += 1;
    CHECK_THROWS_AS(compressor.unpack(std::move(packed)), CorruptionError);
  }
  SUBCASE("truncated frame") {
    std::string& frame = std::get<CompressedValue>(packed).frame;
    frame.resize(frame.size() / 2);
    CHECK_THROWS_AS(compressor.unpack(std::move(packed)), CorruptionError);
  }
  SUBCASE("intact frame") { CHECK(compressor.unpack(std::move(packed)) == value); }
}
