#include <portico/cache/async.hpp>

#include <stdexcept>

#include "service/worker_pool.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

class AsyncCache::Impl {
 public:
  explicit Impl(const AsyncOptions& options) : pool(options.threads, options.max_queued) {}
  internal::WorkerPool pool;
};

namespace {

std::shared_ptr<CacheService> require_service(std::shared_ptr<CacheService> service) {
  if (!service) throw std::invalid_argument("AsyncCache needs a service, got null");
  return service;
}

std::shared_ptr<CacheService> plain_service(std::shared_ptr<CacheAdapter> adapter) {
  if (!adapter) throw std::invalid_argument("AsyncCache needs an adapter, got null");
  // No defaults: calls reach the adapter as written.
  return std::make_shared<CacheService>(std::move(adapter),
                                        ServiceOptions{.default_ttl = std::nullopt});
}

const AsyncOptions& validated(const AsyncOptions& options) {
  if (options.threads == 0) throw std::invalid_argument("AsyncCache needs at least one thread");
  if (options.max_queued == 0) throw std::invalid_argument("AsyncCache max_queued must be positive");
  return options;
}

}  // namespace

AsyncCache::AsyncCache(std::shared_ptr<CacheService> service, AsyncOptions options)
    : service_(require_service(std::move(service))),
      impl_(std::make_unique<Impl>(validated(options))) {}

AsyncCache::AsyncCache(std::shared_ptr<CacheAdapter> adapter, AsyncOptions options)
    : service_(plain_service(std::move(adapter))),
      impl_(std::make_unique<Impl>(validated(options))) {}

AsyncCache::~AsyncCache() { impl_.reset(); }

void AsyncCache::enqueue(std::function<void()> job) { impl_->pool.submit(std::move(job)); }

std::size_t AsyncCache::waiting_submitters() const { return impl_->pool.waiting_submitters(); }

std::future<void> AsyncCache::set(std::string key, Value value, SetOptions options) {
  return submit([key = std::move(key), value = std::move(value),
                 options = std::move(options)](CacheService& service) mutable {
    service.set(key, std::move(value), options);
  });
}

std::future<std::optional<Value>> AsyncCache::get_value(std::string key, NsOption ns) {
  return submit([key = std::move(key), ns = std::move(ns)](CacheService& service) {
    return service.get_value(key, ns);
  });
}

std::future<bool> AsyncCache::erase(std::string key, NsOption ns) {
  return submit([key = std::move(key), ns = std::move(ns)](CacheService& service) {
    return service.erase(key, ns);
  });
}

std::future<bool> AsyncCache::exists(std::string key, NsOption ns) {
  return submit([key = std::move(key), ns = std::move(ns)](CacheService& service) {
    return service.exists(key, ns);
  });
}

std::future<std::size_t> AsyncCache::invalidate_tags(std::vector<std::string> tags) {
  return submit([tags = std::move(tags)](CacheService& service) {
    return service.invalidate_tags(tags);
  });
}

std::future<std::size_t> AsyncCache::invalidate_namespace(std::string ns) {
  return submit([ns = std::move(ns)](CacheService& service) {
    return service.invalidate_namespace(ns);
  });
}

std::future<std::size_t> AsyncCache::invalidate_pattern(std::string glob) {
  return submit([glob = std::move(glob)](CacheService& service) {
    return service.invalidate_pattern(glob);
  });
}

std::future<std::size_t> AsyncCache::invalidate_regex(std::string regex) {
  return submit([regex = std::move(regex)](CacheService& service) {
    return service.invalidate_regex(regex);
  });
}

std::future<std::size_t> AsyncCache::cleanup_expired() {
  return submit([](CacheService& service) { return service.cleanup_expired(); });
}

std::future<void> AsyncCache::clear_all() {
  return submit([](CacheService& service) { service.clear_all(); });
}

std::future<ServiceStats> AsyncCache::get_stats() {
  return submit([](CacheService& service) { return service.get_stats(); });
}

PORTICO_CACHE_END_NAMESPACE
