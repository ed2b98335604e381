#include <portico/cache/metered_adapter.hpp>

#include <chrono>
#include <stdexcept>
#include <type_traits>
#include <utility>

#include "metrics/recorder.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

namespace {

// Hits and misses among a lookup's results.
struct Lookups {
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
};

Lookups lookups_of(const std::optional<CacheEntry>& entry) {
  return entry ? Lookups{.hits = 1} : Lookups{.misses = 1};
}

Lookups lookups_of(const std::vector<std::optional<CacheEntry>>& entries) {
  Lookups lookups;
  for (const std::optional<CacheEntry>& entry : entries) lookups.hits += entry ? 1 : 0;
  lookups.misses = entries.size() - lookups.hits;
  return lookups;
}

// What get and get_many return.
template <class Result>
constexpr bool is_lookup = std::is_same_v<Result, std::optional<CacheEntry>> ||
                           std::is_same_v<Result, std::vector<std::optional<CacheEntry>>>;

}  // namespace

class MeteredAdapter::Recorder : public internal::MetricsRecorder {
 public:
  // Runs `work` (a call of the wrapped adapter) and records it: its latency, whether it
  // threw, and for a lookup its hits and misses.
  template <class Work>
  auto measure(Operation operation, Work&& work) -> std::invoke_result_t<Work&> {
    using Clock = std::chrono::steady_clock;
    using Result = std::invoke_result_t<Work&>;
    const Clock::time_point start = Clock::now();
    try {
      if constexpr (std::is_void_v<Result>) {
        work();
        record(operation, Clock::now() - start);
      } else if constexpr (is_lookup<Result>) {
        Result result = work();
        const Lookups lookups = lookups_of(result);
        record(operation, Clock::now() - start, lookups.hits, lookups.misses);
        return result;
      } else {
        Result result = work();
        record(operation, Clock::now() - start);
        return result;
      }
    } catch (...) {
      record_error(operation, Clock::now() - start);
      throw;
    }
  }
};

MeteredAdapter::MeteredAdapter(std::shared_ptr<CacheAdapter> inner)
    : inner_(std::move(inner)), recorder_(std::make_unique<Recorder>()) {
  if (!inner_) throw std::invalid_argument("MeteredAdapter needs an adapter to wrap, got null");
}

MeteredAdapter::~MeteredAdapter() = default;

MetricsSnapshot MeteredAdapter::metrics() {
  MetricsSnapshot snapshot = recorder_->snapshot();
  snapshot.cache = inner_->get_stats();
  snapshot.evictions = snapshot.cache.evictions;
  return snapshot;
}

std::optional<CacheEntry> MeteredAdapter::do_get(const CacheKey& key) {
  return recorder_->measure(Operation::get, [&] { return inner_->do_get(key); });
}

void MeteredAdapter::do_set(const CacheKey& key, Value value, std::optional<Ttl> ttl) {
  recorder_->measure(Operation::set, [&] { inner_->do_set(key, std::move(value), ttl); });
}

bool MeteredAdapter::do_erase(const CacheKey& key) {
  return recorder_->measure(Operation::erase, [&] { return inner_->do_erase(key); });
}

std::size_t MeteredAdapter::do_erase_matching(const KeyPattern& pattern) {
  return recorder_->measure(Operation::erase_by_pattern,
                            [&] { return inner_->do_erase_matching(pattern); });
}

std::size_t MeteredAdapter::do_erase_by_namespace(const std::string& ns) {
  return recorder_->measure(Operation::erase_by_namespace,
                            [&] { return inner_->do_erase_by_namespace(ns); });
}

std::size_t MeteredAdapter::do_erase_by_tags(const std::vector<std::string>& tags) {
  return recorder_->measure(Operation::erase_by_tags,
                            [&] { return inner_->do_erase_by_tags(tags); });
}

void MeteredAdapter::do_clear() {
  recorder_->measure(Operation::clear, [&] { inner_->do_clear(); });
}

bool MeteredAdapter::do_exists(const CacheKey& key) {
  return recorder_->measure(Operation::exists, [&] { return inner_->do_exists(key); });
}

CacheStats MeteredAdapter::do_get_stats() { return inner_->do_get_stats(); }

std::size_t MeteredAdapter::do_cleanup_expired() {
  return recorder_->measure(Operation::cleanup_expired,
                            [&] { return inner_->do_cleanup_expired(); });
}

std::vector<std::optional<CacheEntry>> MeteredAdapter::do_get_many(
    const std::vector<CacheKey>& keys) {
  return recorder_->measure(Operation::get_many, [&] { return inner_->do_get_many(keys); });
}

void MeteredAdapter::do_set_many(std::vector<CacheItem> items) {
  recorder_->measure(Operation::set_many, [&] { inner_->do_set_many(std::move(items)); });
}

std::size_t MeteredAdapter::do_erase_many(const std::vector<CacheKey>& keys) {
  return recorder_->measure(Operation::erase_many, [&] { return inner_->do_erase_many(keys); });
}

std::string MeteredAdapter::do_health_check() { return inner_->do_health_check(); }

PORTICO_CACHE_END_NAMESPACE
