#include "util/periodic_task.hpp"

namespace portico::cache::internal {

void PeriodicTask::start(std::chrono::milliseconds interval, std::function<void()> chore) {
  stop();
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  thread_ = std::thread([this, interval, chore = std::move(chore)] { run(interval, chore); });
}

void PeriodicTask::stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PeriodicTask::run(std::chrono::milliseconds interval, const std::function<void()>& chore) {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    try {
      chore();
    } catch (...) {
      failures_.fetch_add(1, std::memory_order_relaxed);
    }
    lock.lock();
  }
}

}  // namespace portico::cache::internal
