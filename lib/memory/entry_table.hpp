// EntryTable: a shard's entries, found by identity.
//
// Each entry (its identity and its EntryNode) lives in a heap block of its own that never
// moves while stored, so the shard's indexes and eviction order refer to nodes by pointer and
// unlink them in O(1). The table over them is an open-addressing array of (hash, entry) slots
// with linear probing. A get's lookup reads one slot position (the full hash sits in the slot,
// so a probe dereferences an entry only when the hashes agree) and then the entry: a chained
// hash map reads its bucket, the node before the wanted one in its list and the node, each a
// likely cache miss in a large cache, and that chain was most of a memory get's time. Erasing
// shifts the following slots back instead of leaving tombstones, so probes stay short under
// churn.
//
// Memory: the slot array and every entry block allocate through CountingAllocator. An empty
// table holds no memory.
//
// Not thread-safe: the shard's mutex guards it.
#pragma once

#include <cstddef>
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
  // Stores a new entry; `identity` must not be stored yet, and `hash` must be its hash. The
  // node's identity pointer is set to the stored identity. Throws only std::bad_alloc, and
  // then stores nothing.
  EntryNode& insert(std::size_t hash, EntryIdentity identity, EntryNode node);
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
      if (slot.entry != nullptr) visit(slot.entry->node);
    }
  }

 private:
  struct StoredEntry {
    EntryIdentity identity;
    EntryNode node;
  };
  struct Slot {
    std::size_t hash = 0;
    StoredEntry* entry = nullptr;  // null: empty
  };
  using Slots = std::vector<Slot, CountingAllocator<Slot>>;

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
