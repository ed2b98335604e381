// EntryTable: a shard's entries, found by identity.
//
// Each entry lives in a heap block of its own that never moves while stored: its EntryNode
// followed by the bytes of its key, namespace and value, which the node views. The shard's
// indexes and eviction order refer to nodes by pointer and unlink them in O(1). The table over
// them is an open-addressing array of (hash, node) slots with linear probing.
//
// Why this shape: in a large cache a memory get's time is its cache misses. A chained hash
// map reads its bucket, the node before the wanted one in its list, the node, and the key's
// own heap block, each a likely miss. Here a lookup reads one slot (the full hash sits in the
// slot, so a probe dereferences a node only when the hashes agree) and then one block, in
// which the key is compared and the key and value are copied. Erasing shifts the following
// slots back instead of leaving tombstones, so probes stay short under churn.
//
// Memory: the slot array and every entry block allocate through CountingAllocator. An empty
// table holds no memory.
//
// Not thread-safe: the shard's mutex guards it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "entry_node.hpp"
#include "footprint.hpp"
#include "identity.hpp"

namespace portico::cache::internal {

class EntryTable {
 public:
  explicit EntryTable(std::size_t& allocated_bytes);
  ~EntryTable();
  EntryTable(const EntryTable&) = delete;
  EntryTable& operator=(const EntryTable&) = delete;

  EntryNode* find(const IdentityView& identity) const;
  // Stores a new entry under a copy of `identity`, which must not be stored yet, with a copy
  // of `value_bytes`; the node's identity and value_bytes are set to view those copies.
  // Throws only std::bad_alloc, and then stores nothing.
  EntryNode& insert(const IdentityView& identity, std::string_view value_bytes, EntryNode node);
  // Copies `value_bytes` over the value of the stored `node`; both must have the same length
  // (the block keeps its size).
  void replace_value(EntryNode& node, std::string_view value_bytes) noexcept;
  // Removes and destroys the entry of `node`, which must be stored here.
  void erase(EntryNode& node) noexcept;
  // Destroys every entry and releases all memory.
  void clear() noexcept;
  // The smallest slot array that holds the current entries.
  void shrink_to_fit();

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls visit(node) for every entry, in no particular order. `visit` must not change the
  // table.
  template <class Visit>
  void for_each(Visit&& visit) {
    for (const Slot& slot : slots_) {
      if (slot.node != nullptr) visit(*slot.node);
    }
  }

 private:
  struct Slot {
    std::size_t hash = 0;
    EntryNode* node = nullptr;  // null: empty
  };
  using Slots = std::vector<Slot, CountingAllocator<Slot>>;

  // Bytes of a block that holds a node and the bytes it views.
  static std::size_t block_size(const IdentityView& identity, std::size_t value_size);
  void destroy(EntryNode* node) noexcept;
  // Moves the entries into a slot array of `capacity` slots (a power of two).
  void rebuild(std::size_t capacity);
  // Puts `slot` into the first empty slot of its probe sequence.
  void place(Slot slot) noexcept;
  std::size_t mask() const { return slots_.size() - 1; }

  std::size_t* allocated_bytes_;
  Slots slots_;
  std::size_t size_ = 0;
};

}  // namespace portico::cache::internal
