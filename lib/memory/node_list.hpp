// An intrusive doubly linked list of entry nodes, threaded through their order_prev /
// order_next links: the building block of both eviction orders. It allocates nothing and
// every operation is O(1).
#pragma once

#include "entry_node.hpp"

namespace portico::cache::internal {

class NodeList {
 public:
  EntryNode* front() const { return front_; }
  bool empty() const { return front_ == nullptr; }

  void push_back(EntryNode& node) {
    node.order_prev = back_;
    node.order_next = nullptr;
    if (back_ != nullptr) {
      back_->order_next = &node;
    } else {
      front_ = &node;
    }
    back_ = &node;
  }

  // REQUIRES: node is in this list.
  void remove(EntryNode& node) {
    if (node.order_prev != nullptr) {
      node.order_prev->order_next = node.order_next;
    } else {
      front_ = node.order_next;
    }
    if (node.order_next != nullptr) {
      node.order_next->order_prev = node.order_prev;
    } else {
      back_ = node.order_prev;
    }
    node.order_prev = nullptr;
    node.order_next = nullptr;
  }

  // Forgets the nodes without touching them.
  void reset() {
    front_ = nullptr;
    back_ = nullptr;
  }

 private:
  EntryNode* front_ = nullptr;
  EntryNode* back_ = nullptr;
};

}  // namespace portico::cache::internal
