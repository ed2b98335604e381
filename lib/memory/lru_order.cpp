#include "lru_order.hpp"

namespace portico::cache::internal {

void LruOrder::insert(EntryNode& node) { by_recency_.push_back(node); }

void LruOrder::on_hit(EntryNode& node) {
  by_recency_.remove(node);
  by_recency_.push_back(node);
}

void LruOrder::remove(EntryNode& node) { by_recency_.remove(node); }

EntryNode* LruOrder::victim(const EntryNode* spare) const {
  EntryNode* oldest = by_recency_.front();
  if (oldest != nullptr && oldest == spare) return oldest->order_next;
  return oldest;
}

void LruOrder::reset() { by_recency_.reset(); }

bool LruOrder::precedes(const EntryNode& a, const EntryNode& b) const {
  return a.last_use < b.last_use;
}

}  // namespace portico::cache::internal
