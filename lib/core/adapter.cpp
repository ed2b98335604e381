#include <portico/cache/adapter.hpp>

#include <algorithm>
#include <chrono>
#include <exception>
#include <stdexcept>

#include <fmt/format.h>

#include "core/argument_checks.hpp"
#include "core/limit_checks.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

namespace {

bool has_duplicate_tags(const std::vector<std::string>& tags) {
  for (std::size_t i = 1; i < tags.size(); ++i) {
    if (std::find(tags.begin(), tags.begin() + static_cast<std::ptrdiff_t>(i), tags[i]) !=
        tags.begin() + static_cast<std::ptrdiff_t>(i)) {
      return true;
    }
  }
  return false;
}

// Tags are a set: the first occurrence of each is kept, in the order given.
void drop_duplicate_tags(std::vector<std::string>& tags) {
  std::vector<std::string> unique;
  unique.reserve(tags.size());
  for (std::string& tag : tags) {
    if (std::find(unique.begin(), unique.end(), tag) == unique.end()) {
      unique.push_back(std::move(tag));
    }
  }
  tags = std::move(unique);
}

void validate_ttl(const std::optional<Ttl>& ttl) { internal::check_ttl(ttl, "cache ttl"); }

void validate_keys(const std::vector<CacheKey>& keys) {
  for (const CacheKey& key : keys) key.validate();
}

}  // namespace

CacheAdapter::~CacheAdapter() = default;

std::optional<CacheEntry> CacheAdapter::get(const CacheKey& key) {
  key.validate();
  return do_get(key);
}

void CacheAdapter::set(const CacheKey& key, Value value, std::optional<Ttl> ttl) {
  key.validate();
  validate_ttl(ttl);
  detail::validate_value(value);
  if (has_duplicate_tags(key.tags)) {
    CacheKey normalized = key;
    drop_duplicate_tags(normalized.tags);
    do_set(normalized, std::move(value), ttl);
    return;
  }
  do_set(key, std::move(value), ttl);
}

bool CacheAdapter::erase(const CacheKey& key) {
  key.validate();
  return do_erase(key);
}

std::size_t CacheAdapter::erase_by_pattern(std::string_view glob) {
  return do_erase_matching(KeyPattern::glob(glob));
}

std::size_t CacheAdapter::erase_by_regex(std::string_view regex) {
  return do_erase_matching(KeyPattern::regex(regex));
}

std::size_t CacheAdapter::erase_by_namespace(std::string_view ns) {
  if (ns.empty()) throw std::invalid_argument("erase_by_namespace: namespace must not be empty");
  detail::validate_namespace_length(ns);
  return do_erase_by_namespace(std::string(ns));
}

std::size_t CacheAdapter::erase_by_tags(const std::vector<std::string>& tags) {
  detail::validate_tags(tags);
  if (tags.empty()) return 0;
  if (has_duplicate_tags(tags)) {
    std::vector<std::string> unique = tags;
    drop_duplicate_tags(unique);
    return do_erase_by_tags(unique);
  }
  return do_erase_by_tags(tags);
}

void CacheAdapter::clear() { do_clear(); }

bool CacheAdapter::exists(const CacheKey& key) {
  key.validate();
  return do_exists(key);
}

CacheStats CacheAdapter::get_stats() { return do_get_stats(); }

std::size_t CacheAdapter::cleanup_expired() { return do_cleanup_expired(); }

std::vector<std::optional<CacheEntry>> CacheAdapter::get_many(const std::vector<CacheKey>& keys) {
  validate_keys(keys);
  return do_get_many(keys);
}

void CacheAdapter::set_many(std::vector<CacheItem> items) {
  // Validate everything first: a batch with one bad item changes nothing.
  for (CacheItem& item : items) {
    item.key.validate();
    validate_ttl(item.ttl);
    detail::validate_value(item.value);
    if (has_duplicate_tags(item.key.tags)) drop_duplicate_tags(item.key.tags);
  }
  do_set_many(std::move(items));
}

std::size_t CacheAdapter::erase_many(const std::vector<CacheKey>& keys) {
  validate_keys(keys);
  return do_erase_many(keys);
}

HealthReport CacheAdapter::health() {
  const auto start = std::chrono::steady_clock::now();
  HealthReport report;
  try {
    report.adapter = do_health_check();
    report.ok = true;
  } catch (const std::exception& e) {
    report.message = e.what();
  } catch (...) {
    report.message = "unknown failure";
  }
  report.latency = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - start);
  return report;
}

std::string CacheAdapter::do_health_check() {
  // A read of any key is a round trip; exists() counts no hit or miss and changes nothing.
  static const CacheKey probe{.key = "health", .ns = "portico.health"};
  (void)do_exists(probe);
  return "adapter";
}

std::vector<std::optional<CacheEntry>> CacheAdapter::do_get_many(
    const std::vector<CacheKey>& keys) {
  std::vector<std::optional<CacheEntry>> entries;
  entries.reserve(keys.size());
  for (const CacheKey& key : keys) entries.push_back(do_get(key));
  return entries;
}

void CacheAdapter::do_set_many(std::vector<CacheItem> items) {
  for (CacheItem& item : items) do_set(item.key, std::move(item.value), item.ttl);
}

std::size_t CacheAdapter::do_erase_many(const std::vector<CacheKey>& keys) {
  std::size_t erased = 0;
  for (const CacheKey& key : keys) erased += do_erase(key) ? 1 : 0;
  return erased;
}

PORTICO_CACHE_END_NAMESPACE
