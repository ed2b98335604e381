// AsyncCache: the CacheService operations, run on a small owned worker pool and answered
// through std::future.
//
//   AsyncCache cache(open_cache("memory://"));            // over an adapter
//   AsyncCache cache(service_ptr, {.threads = 4});        // or over a shared CacheService
//   std::future<void> done = cache.set("k", 42);
//   std::future<std::optional<int>> v = cache.get<int>("k");
//   std::future<User> u = cache.get_or_set<User>("user:1", [] { return load_user(1); });
//
// Over an adapter, the operations run on an owned CacheService with no default ttl and no
// default namespace, so each call means exactly what it says to the adapter; to have
// defaults, build a CacheService and pass that.
//
// Operations start in the order they were submitted, on `threads` workers, so two
// operations may run concurrently unless threads == 1. At most `max_queued` operations wait
// to start: a call that finds the queue full blocks until a worker takes an operation
// (back-pressure: a producer faster than the cache is slowed down instead of queueing
// without bound). An operation that calls this AsyncCache from its worker never blocks
// (its own worker could be the one that has to make room). An exception thrown by an operation
// (a bad argument, TypeError, the factory's own) arrives through its future. Arguments are
// copied into the operation, so they need not outlive the call; a get_or_set factory is moved
// into it and runs on a worker.
//
// Destruction drains: every operation submitted before the destructor started still runs
// and its future becomes ready; then the workers stop. Submitting from another thread while
// the AsyncCache is being destroyed is undefined behaviour, like any use of a destroyed object.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <portico/cache/adapter.hpp>
#include <portico/cache/export.hpp>
#include <portico/cache/service.hpp>
#include <portico/cache/set_options.hpp>
#include <portico/cache/value.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

struct AsyncOptions {
  std::size_t threads = 2;        // REQUIRES: positive
  std::size_t max_queued = 1024;  // operations waiting to start; REQUIRES: positive
};

class PORTICO_CACHE_API AsyncCache {
 public:
  // Both throw std::invalid_argument for a null pointer, zero threads or zero max_queued.
  explicit AsyncCache(std::shared_ptr<CacheService> service, AsyncOptions options = {});
  explicit AsyncCache(std::shared_ptr<CacheAdapter> adapter, AsyncOptions options = {});
  // Drains: see the top of this file.
  ~AsyncCache();

  AsyncCache(const AsyncCache&) = delete;
  AsyncCache& operator=(const AsyncCache&) = delete;

  std::future<void> set(std::string key, Value value, SetOptions options = {});
  template <class T>
  std::future<std::optional<T>> get(std::string key, NsOption ns = {}) {
    return submit([key = std::move(key), ns = std::move(ns)](CacheService& service) {
      return service.get<T>(key, ns);
    });
  }
  std::future<std::optional<Value>> get_value(std::string key, NsOption ns = {});
  std::future<bool> erase(std::string key, NsOption ns = {});
  std::future<bool> exists(std::string key, NsOption ns = {});
  std::future<std::size_t> invalidate_tags(std::vector<std::string> tags);
  std::future<std::size_t> invalidate_namespace(std::string ns);
  std::future<std::size_t> invalidate_pattern(std::string glob);
  std::future<std::size_t> invalidate_regex(std::string regex);
  std::future<std::size_t> cleanup_expired();
  std::future<void> clear_all();
  std::future<ServiceStats> get_stats();

  // CacheService::get_or_set on a worker; single-flight with every other caller of the
  // service, synchronous or not.
  template <class T = detail::DeduceResult, class F>
    requires std::invocable<std::decay_t<F>&>
  auto get_or_set(std::string key, F&& factory, SetOptions options = {}) {
    return submit([key = std::move(key), factory = std::decay_t<F>(std::forward<F>(factory)),
                   options = std::move(options)](CacheService& service) mutable {
      return service.get_or_set<T>(key, factory, options);
    });
  }

  // Runs fn(service) on a worker: anything else, e.g. a batch through service.adapter().
  template <class F>
    requires std::invocable<std::decay_t<F>&, CacheService&>
  auto submit(F&& fn) -> std::future<std::invoke_result_t<std::decay_t<F>&, CacheService&>> {
    using R = std::invoke_result_t<std::decay_t<F>&, CacheService&>;
    // packaged_task carries a result or an exception to the future; shared so that the
    // queued job is copyable.
    auto task = std::make_shared<std::packaged_task<R()>>(
        [service = service_, fn = std::decay_t<F>(std::forward<F>(fn))]() mutable -> R {
          return std::invoke(fn, *service);
        });
    std::future<R> result = task->get_future();
    enqueue([task] { (*task)(); });
    return result;
  }

  CacheService& service() const { return *service_; }

  // Callers blocked right now because max_queued operations wait to start (a snapshot, for
  // monitoring back-pressure).
  std::size_t waiting_submitters() const;

 private:
  void enqueue(std::function<void()> job);

  class Impl;
  std::shared_ptr<CacheService> service_;
  std::unique_ptr<Impl> impl_;  // the workers; declared last, so destroyed (drained) first
};

PORTICO_CACHE_END_NAMESPACE
