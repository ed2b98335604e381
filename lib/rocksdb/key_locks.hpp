// KeyLocks: serialise the read-modify-write of entries.
//
// A set reads the old record to remove its index entries in the same batch; two concurrent
// sets of one key could otherwise both read the same old record and leave an index entry of
// the loser behind. Single-entry writes hold a shared "bulk" lock plus the stripe of their id,
// so writes of different entries run in parallel. A write that rewrites many entries at once
// (a batch, an erase pass, clear) holds the bulk lock exclusively instead of hundreds of
// stripes: it stops single-entry writers for the length of one batch and never deadlocks with
// them. The access flush, which runs every few seconds and must not stall writers, holds the
// shared lock and the stripes of one group of entries at a time instead (at most
// kMaxStripesHeld, taken in ascending order; nothing else holds more than one stripe, so
// this cannot deadlock either). Reads take no lock.
//
// Write versions let the flush read its records before taking their locks, so that writers
// of those entries wait for its write only: each stripe, and the bulk lock, has a version
// that every holder raises once on taking the lock and once on letting it go (odd while a
// write is under way). A reader notes the versions of its stripes before reading; if, once it
// holds those locks, they are unchanged (and were even), no write touched the entries between
// its read and its own write.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <utility>
#include <vector>

namespace portico::cache::internal {

class KeyLocks {
 public:
  static constexpr std::size_t kStripes = 1024;

  // Raises a write version on construction and again on destruction. Declared after the
  // locks it belongs to in each guard, so it is raised after they are taken and before they
  // are released.
  class VersionBump {
   public:
    explicit VersionBump(std::atomic<std::uint64_t>* version) : version_(version) { raise(); }
    VersionBump(VersionBump&& other) noexcept : version_(std::exchange(other.version_, nullptr)) {}
    VersionBump& operator=(VersionBump&&) = delete;
    ~VersionBump() { raise(); }

   private:
    void raise() {
      if (version_) version_->fetch_add(1, std::memory_order_acq_rel);
    }
    std::atomic<std::uint64_t>* version_;
  };

  // Holds either one entry's locks or the bulk lock; movable, released at scope end.
  class Guard {
   public:
    Guard(std::shared_lock<std::shared_mutex> shared, std::unique_lock<std::mutex> stripe,
          std::atomic<std::uint64_t>& version)
        : shared_(std::move(shared)), stripe_(std::move(stripe)), bump_(&version) {}
    Guard(std::unique_lock<std::shared_mutex> exclusive, std::atomic<std::uint64_t>& version)
        : exclusive_(std::move(exclusive)), bump_(&version) {}

   private:
    std::shared_lock<std::shared_mutex> shared_;
    std::unique_lock<std::mutex> stripe_;
    std::unique_lock<std::shared_mutex> exclusive_;
    VersionBump bump_;
  };

  // ThreadSanitizer tracks at most 64 mutexes held by one thread.
  static constexpr std::size_t kMaxStripesHeld = 32;

  // Holds the shared bulk lock and several stripes; movable, released at scope end.
  class StripesGuard {
   public:
    StripesGuard(std::shared_lock<std::shared_mutex> shared,
                 std::vector<std::unique_lock<std::mutex>> stripes,
                 std::vector<VersionBump> bumps)
        : shared_(std::move(shared)), stripes_(std::move(stripes)), bumps_(std::move(bumps)) {}

   private:
    std::shared_lock<std::shared_mutex> shared_;
    std::vector<std::unique_lock<std::mutex>> stripes_;
    std::vector<VersionBump> bumps_;
  };

  // The write versions of the bulk lock and of `stripes`, as a reader notes them before it
  // reads without holding the locks.
  struct Versions {
    std::uint64_t bulk = 0;
    std::vector<std::uint64_t> stripes{};
  };

  static std::size_t stripe_of(std::string_view id) {
    return std::hash<std::string_view>{}(id) % kStripes;
  }

  // For a write of the one entry `id`.
  Guard lock_entry(std::string_view id) {
    const std::size_t stripe = stripe_of(id);
    std::shared_lock shared(bulk_);
    return Guard(std::move(shared), std::unique_lock(stripes_[stripe]), stripe_versions_[stripe]);
  }
  // For a write of the entries whose ids fall in `stripes`: ascending, distinct, at most
  // kMaxStripesHeld of them.
  StripesGuard lock_stripes(const std::vector<std::size_t>& stripes) {
    std::shared_lock shared(bulk_);
    std::vector<std::unique_lock<std::mutex>> held;
    std::vector<VersionBump> bumps;
    held.reserve(stripes.size());
    bumps.reserve(stripes.size());
    for (const std::size_t stripe : stripes) {
      held.emplace_back(stripes_[stripe]);
      bumps.emplace_back(&stripe_versions_[stripe]);
    }
    return StripesGuard(std::move(shared), std::move(held), std::move(bumps));
  }
  // For a write of many entries.
  Guard lock_bulk() { return Guard(std::unique_lock(bulk_), bulk_version_); }

  Versions versions_of(const std::vector<std::size_t>& stripes) const {
    Versions versions{.bulk = bulk_version_.load(std::memory_order_acquire)};
    versions.stripes.reserve(stripes.size());
    for (const std::size_t stripe : stripes) {
      versions.stripes.push_back(stripe_versions_[stripe].load(std::memory_order_acquire));
    }
    return versions;
  }
  // True when no write of the entries in `stripes` ran or was under way since `noted` was
  // taken from versions_of(stripes). The caller holds the locks of `stripes`, and its own
  // StripesGuard's raises are counted: a holder of lock_stripes expects each stripe version
  // one above what it noted.
  bool unchanged_since(const Versions& noted, const std::vector<std::size_t>& stripes) const {
    if (noted.bulk % 2 != 0 || bulk_version_.load(std::memory_order_acquire) != noted.bulk) {
      return false;
    }
    for (std::size_t i = 0; i < stripes.size(); ++i) {
      const std::uint64_t now = stripe_versions_[stripes[i]].load(std::memory_order_acquire);
      if (noted.stripes[i] % 2 != 0 || now != noted.stripes[i] + 1) return false;
    }
    return true;
  }
  // For a write of the entries `ids`: the cheaper of the two.
  template <class Ids>
  Guard lock_entries(const Ids& ids) {
    return ids.size() == 1 ? lock_entry(ids.front()) : lock_bulk();
  }

 private:
  std::shared_mutex bulk_;
  std::array<std::mutex, kStripes> stripes_;
  std::atomic<std::uint64_t> bulk_version_{0};
  std::array<std::atomic<std::uint64_t>, kStripes> stripe_versions_{};
};

}  // namespace portico::cache::internal
