// Least frequently used first, ties broken by least recently used, in O(1) per operation
// (the frequency-bucket scheme of Shah, Mitra and Matani, "An O(1) algorithm for
// implementing the LFU cache eviction scheme", 2010).
//
// Entries with the same hit_count share a bucket; buckets form a list in ascending frequency
// and each holds its entries least recently used first. A hit moves an entry to the back of
// the next bucket, so within a bucket the order is the order of the last hit (or store).
// Buckets are allocated through the shard's counting allocator, so they count toward its
// footprint.
#pragma once

#include <cstddef>
#include <cstdint>

#include "eviction_order.hpp"
#include "footprint.hpp"
#include "node_list.hpp"

namespace portico::cache::internal {

class FrequencyBucket {
 public:
  explicit FrequencyBucket(std::uint64_t frequency) : frequency_(frequency) {}

 private:
  friend class LfuOrder;

  std::uint64_t frequency_;  // the hit_count of every entry in it
  FrequencyBucket* lower_ = nullptr;
  FrequencyBucket* higher_ = nullptr;
  NodeList entries_;  // least recently used first
};

class LfuOrder final : public EvictionOrder {
 public:
  // Buckets are allocated through `counter` (see CountingAllocator).
  explicit LfuOrder(std::size_t& counter);
  ~LfuOrder() override;
  LfuOrder(const LfuOrder&) = delete;
  LfuOrder& operator=(const LfuOrder&) = delete;

  EvictionPolicy policy() const override { return EvictionPolicy::lfu; }
  // O(1) for a new entry (hit_count 0) and for a rebuild, which inserts in ascending
  // frequency; any other insertion walks down from the highest bucket.
  void insert(EntryNode& node) override;
  void on_hit(EntryNode& node) override;
  void remove(EntryNode& node) override;
  EntryNode* victim(const EntryNode* spare) const override;
  void reset() override;
  bool precedes(const EntryNode& a, const EntryNode& b) const override;

 private:
  // A new empty bucket directly above `below`, or at the bottom when `below` is null.
  FrequencyBucket* add_bucket(std::uint64_t frequency, FrequencyBucket* below);
  void drop_bucket(FrequencyBucket* bucket);

  CountingAllocator<FrequencyBucket> allocator_;
  FrequencyBucket* lowest_ = nullptr;
  FrequencyBucket* highest_ = nullptr;
};

}  // namespace portico::cache::internal
