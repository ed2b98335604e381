// CacheAdapter: the port every storage backend implements.
//
// Code written against CacheAdapter behaves the same on every adapter (one conformance suite
// runs on all of them). The public methods are non-virtual: they validate arguments, so that
// bad input is rejected identically everywhere and before anything changes, and then call the
// protected do_* hooks that an adapter implements. Default arguments therefore work whether a
// call goes through CacheAdapter& or a concrete adapter.
//
// Semantics (see the contract for the full list):
// - get: a present, unexpired entry is a hit and is touched; the returned entry includes this
//   hit. Absent or expired is a miss. set, exists and erase count neither.
// - set overwrites; the old tags and namespace no longer find the entry.
// - erase / erase_by_* also remove expired matches but count only unexpired ones.
// - Expired entries are invisible to get, exists and get_many.
// - Limits (<portico/cache/limits.hpp>): a key, namespace, tag, tag list or value beyond them
//   is std::invalid_argument naming the limit, before anything is written; a set_many with
//   one such item writes nothing.
//
// Thread-safety: every method may be called concurrently from any number of threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <portico/cache/entry.hpp>
#include <portico/cache/export.hpp>
#include <portico/cache/health.hpp>
#include <portico/cache/key.hpp>
#include <portico/cache/pattern.hpp>
#include <portico/cache/stats.hpp>
#include <portico/cache/time.hpp>
#include <portico/cache/value.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

// One write of set_many.
struct CacheItem {
  CacheKey key{};
  Value value{};
  std::optional<Ttl> ttl{};
};

class MeteredAdapter;

class PORTICO_CACHE_API CacheAdapter {
 public:
  virtual ~CacheAdapter();

  std::optional<CacheEntry> get(const CacheKey& key);
  // REQUIRES: ttl, when given, is positive.
  void set(const CacheKey& key, Value value, std::optional<Ttl> ttl = {});
  // True if an unexpired entry existed.
  bool erase(const CacheKey& key);
  std::size_t erase_by_pattern(std::string_view glob);
  std::size_t erase_by_regex(std::string_view regex);
  std::size_t erase_by_namespace(std::string_view ns);
  // Entries carrying ANY of the tags, each counted once.
  std::size_t erase_by_tags(const std::vector<std::string>& tags);
  void clear();
  // False for expired entries; counts no hit or miss.
  bool exists(const CacheKey& key);
  CacheStats get_stats();
  // Removes expired entries; returns how many.
  std::size_t cleanup_expired();

  // Batches: one round trip or one write batch each. Results are in the order of the keys.
  std::vector<std::optional<CacheEntry>> get_many(const std::vector<CacheKey>& keys);
  void set_many(std::vector<CacheItem> items);
  std::size_t erase_many(const std::vector<CacheKey>& keys);

  // A real round trip through the backend, in bounded time; never throws for a failing
  // backend (ok = false, message says why). Counts no hit or miss.
  HealthReport health();

 protected:
  CacheAdapter() = default;
  CacheAdapter(const CacheAdapter&) = delete;
  CacheAdapter& operator=(const CacheAdapter&) = delete;

  // The metrics decorator calls the wrapped adapter's hooks directly: its own public methods
  // have checked the arguments already, and a compiled pattern can only be passed on this way.
  friend class MeteredAdapter;

  // Hooks. Arguments arrive validated: keys and tags obey CacheKey's REQUIRES, ttls are
  // positive, tags are free of duplicates (first occurrence kept), namespaces non-empty,
  // values within kMaxValueBytes and kMaxValueDepth (<portico/cache/limits.hpp>).
  virtual std::optional<CacheEntry> do_get(const CacheKey& key) = 0;
  virtual void do_set(const CacheKey& key, Value value, std::optional<Ttl> ttl) = 0;
  virtual bool do_erase(const CacheKey& key) = 0;
  virtual std::size_t do_erase_matching(const KeyPattern& pattern) = 0;
  virtual std::size_t do_erase_by_namespace(const std::string& ns) = 0;
  virtual std::size_t do_erase_by_tags(const std::vector<std::string>& tags) = 0;
  virtual void do_clear() = 0;
  virtual bool do_exists(const CacheKey& key) = 0;
  virtual CacheStats do_get_stats() = 0;
  virtual std::size_t do_cleanup_expired() = 0;

  // Batch hooks. The defaults loop over the single-key hooks; adapters override them to
  // make a batch one round trip or one atomic write.
  virtual std::vector<std::optional<CacheEntry>> do_get_many(const std::vector<CacheKey>& keys);
  virtual void do_set_many(std::vector<CacheItem> items);
  virtual std::size_t do_erase_many(const std::vector<CacheKey>& keys);

  // The health check's round trip: throws on failure; health() times it and reports.
  // The default asks do_exists for a reserved key; adapters override it with a round trip
  // that exercises their write path too. Returns the adapter's name ("memory", ...).
  virtual std::string do_health_check();
};

PORTICO_CACHE_END_NAMESPACE
