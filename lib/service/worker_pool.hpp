// WorkerPool: a fixed set of threads running queued tasks in order of submission.
//
// The queue may be bounded (max_queued): then submit waits while that many tasks are queued
// and not yet started, so a producer faster than the workers is slowed down instead of
// growing the queue without end. A task that submits to its own pool never waits (the worker
// running it could be the one that has to make room): such submissions may go beyond the
// bound.
//
// Destruction drains: every task queued before the destructor started still runs, then the
// threads are joined. Tasks must not throw (wrap them, e.g. in std::packaged_task, to carry
// exceptions to a future); one that does terminates the program, as a thread would.
//
// Thread-safety: submit may be called concurrently, also from inside a task.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace portico::cache::internal {

class WorkerPool {
 public:
  // REQUIRES: threads > 0; max_queued, when given, > 0 (nullopt: unbounded).
  explicit WorkerPool(std::size_t threads, std::optional<std::size_t> max_queued = std::nullopt);
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::function<void()> task);

  // Submitters waiting for room right now (a snapshot, for tests and diagnostics).
  std::size_t waiting_submitters() const;

 private:
  void run();
  bool has_room() const { return !max_queued_ || queue_.size() < *max_queued_; }

  const std::optional<std::size_t> max_queued_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;  // a task was queued, or the pool stops
  std::condition_variable room_;  // a queued task was started
  std::deque<std::function<void()>> queue_;
  std::size_t waiting_submitters_ = 0;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace portico::cache::internal
