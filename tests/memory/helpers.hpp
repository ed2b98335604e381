// Shared helpers for the memory adapter's tests.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <thread>

#include <portico/cache/memory_adapter.hpp>

namespace portico::cache::testing {

inline CacheKey key(std::string name) { return CacheKey{.key = std::move(name)}; }

// A string that zstd shrinks to almost nothing.
inline std::string compressible_text(std::size_t size) {
  std::string text;
  text.reserve(size);
  while (text.size() < size) text.append("the same words again and again; ");
  text.resize(size);
  return text;
}

// Bytes zstd cannot shrink.
inline std::string random_bytes(std::size_t size, std::uint32_t seed = 42) {
  std::mt19937 generator(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string bytes(size, '\0');
  for (char& c : bytes) c = static_cast<char>(byte(generator));
  return bytes;
}

inline std::uint64_t memory_usage(MemoryCacheAdapter& cache) {
  return cache.get_stats().memory_usage_bytes.value();
}

// Polls `condition` until it holds or `limit` passes; for background work whose timing the
// test must not assume.
template <class Condition>
bool wait_until(Condition condition, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace portico::cache::testing
