// MeteredAdapter: any CacheAdapter, with metrics.
//
// A decorator: it is itself a CacheAdapter that hands every call to the adapter it wraps and
// records, per operation, the call, its latency (std::chrono::steady_clock, around the wrapped
// adapter's work), whether it threw, and for get / get_many the keys found and not found.
// Code written against a bare CacheAdapter gets metrics by being given one:
//
//   auto store = std::make_shared<cache::MeteredAdapter>(cache::open_cache(url));
//   use(*store);                                         // any CacheAdapter& code
//   std::string text = cache::to_openmetrics(store->metrics());
//
// Arguments are checked once, by the decorator's public methods; the wrapped adapter's hooks
// run directly, so its results, exceptions and events are exactly those of a direct call.
// Calls that fail those checks (std::invalid_argument) never reach the adapter and are not
// counted. Calls made on the wrapped adapter directly, bypassing the decorator, are not seen.
//
// Cost: two clock readings and two relaxed atomic additions per call (three for a get: the
// hit or miss), on counters striped by CPU so that threads rarely write the same cache line;
// no lock is taken. The clock readings dominate.
//
// Thread-safety: every method may be called concurrently, metrics() included.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <portico/cache/adapter.hpp>
#include <portico/cache/export.hpp>
#include <portico/cache/metrics.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

class PORTICO_CACHE_API MeteredAdapter final : public CacheAdapter {
 public:
  // Throws std::invalid_argument for a null adapter.
  explicit MeteredAdapter(std::shared_ptr<CacheAdapter> inner);
  ~MeteredAdapter() override;

  // What was recorded since construction, plus the wrapped adapter's get_stats() now.
  MetricsSnapshot metrics();

  CacheAdapter& inner() const { return *inner_; }

 protected:
  std::optional<CacheEntry> do_get(const CacheKey& key) override;
  void do_set(const CacheKey& key, Value value, std::optional<Ttl> ttl) override;
  bool do_erase(const CacheKey& key) override;
  std::size_t do_erase_matching(const KeyPattern& pattern) override;
  std::size_t do_erase_by_namespace(const std::string& ns) override;
  std::size_t do_erase_by_tags(const std::vector<std::string>& tags) override;
  void do_clear() override;
  bool do_exists(const CacheKey& key) override;
  CacheStats do_get_stats() override;
  std::size_t do_cleanup_expired() override;
  std::vector<std::optional<CacheEntry>> do_get_many(const std::vector<CacheKey>& keys) override;
  void do_set_many(std::vector<CacheItem> items) override;
  std::size_t do_erase_many(const std::vector<CacheKey>& keys) override;
  // The wrapped adapter's own health check.
  std::string do_health_check() override;

 private:
  class Recorder;
  const std::shared_ptr<CacheAdapter> inner_;
  const std::unique_ptr<Recorder> recorder_;
};

PORTICO_CACHE_END_NAMESPACE
