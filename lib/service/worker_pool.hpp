// WorkerPool: a fixed set of threads running queued tasks in order of submission.
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
#include <thread>
#include <vector>

namespace portico::cache::internal {

class WorkerPool {
 public:
  // REQUIRES: threads > 0.
  explicit WorkerPool(std::size_t threads);
  ~WorkerPool();

  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  void submit(std::function<void()> task);

 private:
  void run();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace portico::cache::internal
