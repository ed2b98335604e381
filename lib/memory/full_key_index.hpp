// FullKeyIndex: a shard's entries ordered by full_key, so that the entries whose full_key
// starts with a given prefix are one contiguous range.
//
// Layout: a sorted array of blocks, each a sorted array of at most block_slots slots. A slot
// holds its entry's node and a head: the first 23 bytes of the full_key (zero-padded) and its
// length (24 for "longer"), packed into three big-endian words. Comparing heads as integers
// orders full_keys exactly unless both are longer than 23 bytes and agree on those bytes; only
// then are the full_keys read through their nodes. So an insert or erase binary-searches the
// blocks' first slots, then one block, and shifts the rest of that block: a few contiguous
// cache lines, where a node-based tree would touch a cold node and a cold key per level.
//
// Equal full_keys belong to distinct entries ((ns "a:b", key "c"), (ns "a", key "b:c") and
// (key "a:b:c") are all "a:b:c"): they sit side by side and erase tells them apart by node.
//
// Memory: the block array and every block allocate through CountingAllocator. An empty index
// holds no memory; a block that an erase leaves three quarters empty gives its spare room
// back, and one that an erase empties is freed.
//
// Not thread-safe: the shard's mutex guards it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "entry_node.hpp"
#include "footprint.hpp"
#include "identity.hpp"

namespace portico::cache::internal {

class FullKeyIndex {
 public:
  static constexpr std::size_t block_slots = 64;

  explicit FullKeyIndex(std::size_t& allocated_bytes);
  FullKeyIndex(const FullKeyIndex&) = delete;
  FullKeyIndex& operator=(const FullKeyIndex&) = delete;

  // The node's identity must be set. Throws only std::bad_alloc, and then changes nothing.
  void insert(EntryNode& node);
  // The node must be in the index.
  void erase(const EntryNode& node) noexcept;
  // Removes every entry and releases all memory.
  void clear() noexcept;
  // Gives back the room the entries do not use.
  void shrink_to_fit();

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  // Calls visit(node) for every entry whose full_key starts with `prefix` (all of them when
  // it is empty), in full_key order. `visit` must not change the index.
  template <class Visit>
  void for_each_with_prefix(std::string_view prefix, Visit&& visit) const {
    const Probe probe = probe_of(FullKeyView(prefix));
    for (auto [block, at] = lower_bound(probe); block < blocks_.size(); ++block, at = 0) {
      const Slots& slots = blocks_[block].slots;
      for (; at < slots.size(); ++at) {
        EntryNode& node = *slots[at].node;
        if (!FullKeyView(node.identity).starts_with(prefix)) return;
        visit(node);
      }
    }
  }

 private:
  using Head = std::array<std::uint64_t, 3>;

  struct Slot {
    Head head{};
    EntryNode* node = nullptr;
  };
  using Slots = std::vector<Slot, CountingAllocator<Slot>>;

  struct Block {
    Slot first{};  // a copy of slots.front(), so the search over blocks stays in this array
    Slots slots;
  };
  using Blocks = std::vector<Block, CountingAllocator<Block>>;

  // What a search compares slots with: a full_key and its head.
  struct Probe {
    Head head{};
    FullKeyView key;
  };

  static Probe probe_of(FullKeyView key);
  // <0, 0 or >0 as the slot's full_key is below, equal to or above the probe's.
  static int order_of(const Slot& slot, const Probe& probe);

  // (block, slot) of the first slot not below the probe; (blocks_.size(), 0) when none.
  std::pair<std::size_t, std::size_t> lower_bound(const Probe& probe) const;
  // Splits the full block `block` in two, putting `slot` at `at` of the slots it held.
  void split_insert(std::size_t block, std::size_t at, const Slot& slot);
  // Frees a block an erase emptied, or takes back room an erase left unused.
  void after_erase(std::size_t block) noexcept;

  std::size_t* allocated_bytes_;
  Blocks blocks_;
  std::size_t size_ = 0;
};

}  // namespace portico::cache::internal
