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
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <vector>

namespace portico::cache::internal {

class KeyLocks {
 public:
  static constexpr std::size_t kStripes = 1024;

  // Holds either one entry's locks or the bulk lock; movable, released at scope end.
  class Guard {
   public:
    Guard(std::shared_lock<std::shared_mutex> shared, std::unique_lock<std::mutex> stripe)
        : shared_(std::move(shared)), stripe_(std::move(stripe)) {}
    explicit Guard(std::unique_lock<std::shared_mutex> exclusive)
        : exclusive_(std::move(exclusive)) {}

   private:
    std::shared_lock<std::shared_mutex> shared_;
    std::unique_lock<std::mutex> stripe_;
    std::unique_lock<std::shared_mutex> exclusive_;
  };

  // ThreadSanitizer tracks at most 64 mutexes held by one thread.
  static constexpr std::size_t kMaxStripesHeld = 32;

  // Holds the shared bulk lock and several stripes; movable, released at scope end.
  class StripesGuard {
   public:
    StripesGuard(std::shared_lock<std::shared_mutex> shared,
                 std::vector<std::unique_lock<std::mutex>> stripes)
        : shared_(std::move(shared)), stripes_(std::move(stripes)) {}

   private:
    std::shared_lock<std::shared_mutex> shared_;
    std::vector<std::unique_lock<std::mutex>> stripes_;
  };

  static std::size_t stripe_of(std::string_view id) {
    return std::hash<std::string_view>{}(id) % kStripes;
  }

  // For a write of the one entry `id`.
  Guard lock_entry(std::string_view id) {
    std::shared_lock shared(bulk_);
    return Guard(std::move(shared), std::unique_lock(stripes_[stripe_of(id)]));
  }
  // For a write of the entries whose ids fall in `stripes`: ascending, distinct, at most
  // kMaxStripesHeld of them.
  StripesGuard lock_stripes(const std::vector<std::size_t>& stripes) {
    std::shared_lock shared(bulk_);
    std::vector<std::unique_lock<std::mutex>> held;
    held.reserve(stripes.size());
    for (const std::size_t stripe : stripes) held.emplace_back(stripes_[stripe]);
    return StripesGuard(std::move(shared), std::move(held));
  }
  // For a write of many entries.
  Guard lock_bulk() { return Guard(std::unique_lock(bulk_)); }
  // For a write of the entries `ids`: the cheaper of the two.
  template <class Ids>
  Guard lock_entries(const Ids& ids) {
    return ids.size() == 1 ? lock_entry(ids.front()) : lock_bulk();
  }

 private:
  std::shared_mutex bulk_;
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace portico::cache::internal
