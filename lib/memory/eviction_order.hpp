// EvictionOrder: which entry of a shard goes first when the shard is over its bounds.
//
// One implementation per policy (lru_order.hpp, lfu_order.hpp). A shard owns one of each and
// points at the active one; switching policy re-inserts every entry into the other in the
// order given by its precedes(), so entries keep their recency and hit counts.
//
// Thread-safety: none; the owning shard's mutex guards every call.
#pragma once

#include <portico/cache/memory_adapter.hpp>

#include "entry_node.hpp"

namespace portico::cache::internal {

class EvictionOrder {
 public:
  virtual ~EvictionOrder() = default;

  virtual EvictionPolicy policy() const = 0;

  // Adds an entry as the most recently used among those it ties with under this policy.
  // May allocate; on an exception the entry is not added.
  virtual void insert(EntryNode& node) = 0;
  // Records a hit. REQUIRES: node was inserted, and its hit_count has just gone up by one.
  // May allocate; on an exception the order is unchanged.
  virtual void on_hit(EntryNode& node) = 0;
  // REQUIRES: node was inserted.
  virtual void remove(EntryNode& node) = 0;
  // The entry to evict first other than `spare` (which may be null); null when none is left.
  virtual EntryNode* victim(const EntryNode* spare) const = 0;
  // Forgets every entry; the nodes themselves are left alone.
  virtual void reset() = 0;

  // Whether `a` is evicted before `b`: the order a rebuild inserts entries in.
  virtual bool precedes(const EntryNode& a, const EntryNode& b) const = 0;

 protected:
  EvictionOrder() = default;
  EvictionOrder(const EvictionOrder&) = default;
  EvictionOrder& operator=(const EvictionOrder&) = default;
};

}  // namespace portico::cache::internal
