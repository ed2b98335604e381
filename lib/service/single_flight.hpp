// FlightRegistry: at most one running computation per key, shared by every caller that
// arrives while it runs (get_or_set's and cached()'s stampede protection).
//
// The leader computes, stores the value in the cache, then lands its flight (leaves the
// registry) before fulfilling the promise: by then the value is stored, so callers that
// arrive later read it from the cache instead of joining. Waiters get the value or the
// leader's exception; nothing is cached on failure.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <exception>
#include <future>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <portico/cache/key.hpp>
#include <portico/cache/value.hpp>

namespace portico::cache::internal {

// One running computation of a key's value. Waiters block on the shared future.
struct Flight {
  std::promise<Value> promise;
  std::shared_future<Value> result = promise.get_future().share();
};

class FlightRegistry {
 public:
  // The flight of `key`, registered now unless one is running, and whether this caller
  // leads it (and must call succeed or fail exactly once).
  std::pair<std::shared_ptr<Flight>, bool> join_or_lead(const CacheKey& key);
  void succeed(const CacheKey& key, const std::shared_ptr<Flight>& flight, const Value& value);
  void fail(const CacheKey& key, const std::shared_ptr<Flight>& flight, std::exception_ptr error);

 private:
  void land(const CacheKey& key, const std::shared_ptr<Flight>& flight);

  std::mutex mutex_;
  std::unordered_map<CacheKey, std::shared_ptr<Flight>> flights_;  // guarded by mutex_
};

}  // namespace portico::cache::internal
