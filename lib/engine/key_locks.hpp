// KeyLocks: serialise the read-modify-write of entries.
//
// A set reads the old record to remove its index entries in the same batch; two concurrent
// sets of one key could otherwise both read the same old record and leave an index entry of
// the loser behind. Single-entry writes hold a shared "bulk" lock plus the stripe of their id,
// so writes of different entries run in parallel. A write that rewrites many entries at once
// (a batch, an erase pass, clear, an access flush) holds the bulk lock exclusively instead of
// hundreds of stripes: it stops single-entry writers for the length of one batch and never
// deadlocks with them. Reads take no lock.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <shared_mutex>
#include <string_view>

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

  // For a write of the one entry `id`.
  Guard lock_entry(std::string_view id) {
    std::shared_lock shared(bulk_);
    return Guard(std::move(shared),
                 std::unique_lock(stripes_[std::hash<std::string_view>{}(id) % kStripes]));
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
