// KeyLocks: striped mutexes that serialise the read-modify-write of one entry id.
//
// A set reads the old record to remove its index entries in the same batch; two concurrent
// sets of one key could otherwise both read the same old record and leave an index entry of
// the loser behind. Batches lock all their stripes in ascending order, so they cannot deadlock.
//
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string_view>
#include <vector>

namespace portico::cache::internal {

class KeyLocks {
 public:
  static constexpr std::size_t kStripes = 1024;

  std::size_t stripe_of(std::string_view id) const {
    return std::hash<std::string_view>{}(id) % kStripes;
  }
  std::mutex& stripe(std::size_t index) { return stripes_[index]; }

  // Holds the stripes of a group of ids, taken in ascending order.
  class Guard {
   public:
    Guard(KeyLocks& locks, std::vector<std::size_t> stripes);
    ~Guard();
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;

   private:
    KeyLocks& locks_;
    std::vector<std::size_t> stripes_;
  };

  Guard lock_ids(const std::vector<std::string_view>& ids);
  Guard lock_all();

 private:
  std::array<std::mutex, kStripes> stripes_;
};

}  // namespace portico::cache::internal
