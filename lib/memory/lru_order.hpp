// Least recently used first: one intrusive list, least recent at the front.
#pragma once

#include "eviction_order.hpp"
#include "node_list.hpp"

namespace portico::cache::internal {

class LruOrder final : public EvictionOrder {
 public:
  EvictionPolicy policy() const override { return EvictionPolicy::lru; }
  void insert(EntryNode& node) override;
  void on_hit(EntryNode& node) override;
  void remove(EntryNode& node) override;
  EntryNode* victim(const EntryNode* spare) const override;
  void reset() override;
  bool precedes(const EntryNode& a, const EntryNode& b) const override;

 private:
  NodeList by_recency_;
};

}  // namespace portico::cache::internal
