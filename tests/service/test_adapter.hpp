// A minimal map-backed adapter for the service tests while no production adapter is built.
#pragma once

#include <map>
#include <mutex>
#include <utility>

#include <portico/cache/adapter.hpp>
#include <portico/cache/pattern.hpp>

namespace portico_test {

using namespace portico::cache;

class MapAdapter final : public CacheAdapter {
 public:
  explicit MapAdapter(std::shared_ptr<const Clock> clock = system_clock_source())
      : clock_(std::move(clock)) {}

 protected:
  using Id = std::pair<std::optional<std::string>, std::string>;
  static Id id(const CacheKey& k) { return {k.ns, k.key}; }
  bool live(const CacheEntry& e) const { return !e.is_expired(clock_->now()); }

  std::optional<CacheEntry> do_get(const CacheKey& key) override {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id(key));
    if (it == entries_.end() || !live(it->second)) {
      ++misses_;
      return std::nullopt;
    }
    ++hits_;
    it->second = it->second.touch(clock_->now());
    return it->second;
  }
  void do_set(const CacheKey& key, Value value, std::optional<Ttl> ttl) override {
    std::lock_guard lock(mutex_);
    const TimePoint now = clock_->now();
    CacheEntry e{.key = key, .value = std::move(value), .created_at = now, .expires_at = {},
                 .hit_count = 0, .last_accessed = now};
    if (ttl) e.expires_at = now + *ttl;
    entries_[id(key)] = std::move(e);
  }
  bool do_erase(const CacheKey& key) override {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id(key));
    if (it == entries_.end()) return false;
    const bool was_live = live(it->second);
    entries_.erase(it);
    return was_live;
  }
  template <class Pred>
  std::size_t erase_if(Pred pred) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (pred(it->second)) {
        n += live(it->second) ? 1 : 0;
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
    return n;
  }
  std::size_t do_erase_matching(const KeyPattern& p) override {
    return erase_if([&](const CacheEntry& e) { return p.matches(e.key.full_key()); });
  }
  std::size_t do_erase_by_namespace(const std::string& ns) override {
    return erase_if([&](const CacheEntry& e) { return e.key.ns == ns; });
  }
  std::size_t do_erase_by_tags(const std::vector<std::string>& tags) override {
    return erase_if([&](const CacheEntry& e) {
      for (const auto& t : e.key.tags)
        for (const auto& u : tags)
          if (t == u) return true;
      return false;
    });
  }
  void do_clear() override {
    std::lock_guard lock(mutex_);
    entries_.clear();
  }
  bool do_exists(const CacheKey& key) override {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id(key));
    return it != entries_.end() && live(it->second);
  }
  CacheStats do_get_stats() override {
    std::lock_guard lock(mutex_);
    return CacheStats{.total_entries = entries_.size(), .total_hits = hits_,
                      .total_misses = misses_, .hit_rate = hit_rate_of(hits_, misses_)};
  }
  std::size_t do_cleanup_expired() override {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (!live(it->second)) {
        it = entries_.erase(it);
        ++n;
      } else {
        ++it;
      }
    }
    return n;
  }

 private:
  std::shared_ptr<const Clock> clock_;
  std::mutex mutex_;
  std::map<Id, CacheEntry> entries_;
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace portico_test
