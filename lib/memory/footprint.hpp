// Measuring what a shard really holds in memory.
//
// Containers allocate through CountingAllocator, which adds every block it hands out to the
// shard's byte counter and subtracts it on release, so nodes and hash bucket arrays are
// measured, not estimated. Strings that live inside those nodes allocate with std::allocator;
// their heap blocks are measured with heap_bytes().
//
// Not counted: the allocator's own per-block overhead (malloc headers, rounding).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace portico::cache::internal {

// A std::allocator that keeps a running total of the bytes it has handed out. The counter is
// owned by a shard and only touched under that shard's mutex, so it needs no atomics; it must
// outlive every container that allocates through it.
template <class T>
class CountingAllocator {
 public:
  using value_type = T;

  explicit CountingAllocator(std::size_t& counter) : counter_(&counter) {}
  template <class U>
  CountingAllocator(const CountingAllocator<U>& other)  // NOLINT: rebinding must be implicit
      : counter_(other.counter_) {}

  T* allocate(std::size_t n) {
    T* block = std::allocator<T>{}.allocate(n);
    *counter_ += n * sizeof(T);
    return block;
  }

  void deallocate(T* block, std::size_t n) {
    *counter_ -= n * sizeof(T);
    std::allocator<T>{}.deallocate(block, n);
  }

  template <class U>
  bool operator==(const CountingAllocator<U>& other) const {
    return counter_ == other.counter_;
  }

 private:
  template <class U>
  friend class CountingAllocator;

  std::size_t* counter_;
};

// Bytes `text` holds on the heap: none while it fits in the string object itself (the small
// string optimisation), otherwise its capacity plus the terminating NUL, which is the block
// both libstdc++ and libc++ allocate.
inline std::size_t heap_bytes(const std::string& text) {
  const auto* inside = reinterpret_cast<const char*>(&text);
  const std::less<const char*> before;
  const bool in_object = !before(text.data(), inside) && before(text.data(), inside + sizeof text);
  return in_object ? 0 : text.capacity() + 1;
}

}  // namespace portico::cache::internal
