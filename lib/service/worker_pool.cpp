#include "service/worker_pool.hpp"

#include <utility>

namespace portico::cache::internal {

namespace {
// The pool whose worker runs on this thread, if any: its submissions never wait.
thread_local const WorkerPool* current_pool = nullptr;
}  // namespace

WorkerPool::WorkerPool(std::size_t threads, std::optional<std::size_t> max_queued)
    : max_queued_(max_queued) {
  threads_.reserve(threads);
  try {
    for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
  } catch (...) {
    // Leave no thread running behind a constructor that throws.
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (std::thread& thread : threads_) thread.join();
    throw;
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void WorkerPool::submit(std::function<void()> task) {
  {
    std::unique_lock lock(mutex_);
    if (current_pool != this && !has_room()) {
      ++waiting_submitters_;
      room_.wait(lock, [this] { return has_room(); });
      --waiting_submitters_;
    }
    queue_.push_back(std::move(task));
  }
  wake_.notify_one();
}

std::size_t WorkerPool::waiting_submitters() const {
  std::lock_guard lock(mutex_);
  return waiting_submitters_;
}

void WorkerPool::run() {
  current_pool = this;
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    // Drain before stopping: queued work was promised a run.
    if (queue_.empty()) return;
    std::function<void()> task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    if (max_queued_) room_.notify_one();
    task();
    task = nullptr;  // destroy captures outside the lock, before the next wait
    lock.lock();
  }
}

}  // namespace portico::cache::internal
