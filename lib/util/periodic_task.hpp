// PeriodicTask: runs a callable on its own thread every `interval` until stopped.
//
// stop() (and the destructor) wakes the thread at once and joins it, so shutdown never waits
// out an interval. An exception thrown by the callable is swallowed after being counted: a
// background chore must not terminate the process; the next round tries again.
//
// Thread-safety: start/stop may be called from any thread, but not concurrently with each
// other; the callable runs on the task's thread only.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace portico::cache::internal {

class PeriodicTask {
 public:
  PeriodicTask() = default;
  ~PeriodicTask() { stop(); }
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

  // Stops a running task first, then starts `chore` every `interval`.
  void start(std::chrono::milliseconds interval, std::function<void()> chore);
  void stop();
  bool running() const { return thread_.joinable(); }
  std::uint64_t failures() const { return failures_.load(); }

 private:
  void run(std::chrono::milliseconds interval, const std::function<void()>& chore);

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::atomic<std::uint64_t> failures_{0};
  std::thread thread_;
};

}  // namespace portico::cache::internal
