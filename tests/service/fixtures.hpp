// Shared helpers for the service tests.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include <portico/cache/adapter.hpp>
#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/time.hpp>

namespace portico_test {

using namespace portico::cache;
using namespace std::chrono_literals;

// The backing adapter of the service tests, on the given clock (the service gets the same
// one, so logical and physical expiry agree).
inline std::shared_ptr<CacheAdapter> make_adapter(std::shared_ptr<const Clock> clock) {
  return std::make_shared<MemoryCacheAdapter>(MemoryOptions{.clock = std::move(clock)});
}

// A gate that threads wait at until it opens. Waits are bounded so that a broken
// implementation fails the test instead of hanging it.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    cv_.notify_all();
  }
  // True if the gate opened within the bound.
  bool wait(std::chrono::milliseconds bound = 30s) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, bound, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool open_ = false;
};

// Polls `condition` until it holds or the bound passes; returns whether it held.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds bound = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + bound;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace portico_test
