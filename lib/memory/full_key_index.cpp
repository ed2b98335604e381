#include "full_key_index.hpp"

#include <algorithm>
#include <cassert>

namespace portico::cache::internal {

namespace {

// A vector this sparse gives its spare room back.
template <class Vector>
void shrink_if_sparse(Vector& vector) noexcept {
  if (vector.capacity() < 8 || vector.size() * 4 > vector.capacity()) return;
  try {
    vector.shrink_to_fit();
  } catch (...) {
    // Only a request: keeping the room is correct too.
  }
}

// Starts loading every cache line of the slots at once: a search then waits for one miss
// instead of one per probe, and the shift that follows finds the lines loaded.
void prefetch(const void* begin, std::size_t bytes) {
  const auto* line = static_cast<const char*>(begin);
  for (const char* end = line + bytes; line < end; line += 64) __builtin_prefetch(line);
}

}  // namespace

FullKeyIndex::FullKeyIndex(std::size_t& allocated_bytes)
    : allocated_bytes_(&allocated_bytes), blocks_(Blocks::allocator_type(allocated_bytes)) {}

FullKeyIndex::Probe FullKeyIndex::probe_of(FullKeyView key) {
  // 23 bytes, zero-padded, then the length, or 24 for longer: compared as big-endian words,
  // a shorter key that is a prefix of a longer one sorts first, as it must.
  std::array<unsigned char, 24> bytes{};
  key.copy_front(reinterpret_cast<char*>(bytes.data()), 23);
  const std::size_t size = key.size();
  bytes[23] = static_cast<unsigned char>(std::min<std::size_t>(size, 24));
  Probe probe{.head = {}, .key = key};
  for (std::size_t word = 0; word < probe.head.size(); ++word) {
    std::uint64_t value = 0;
    for (std::size_t byte = 0; byte < 8; ++byte) value = value << 8 | bytes[8 * word + byte];
    probe.head[word] = value;
  }
  return probe;
}

int FullKeyIndex::order_of(const Slot& slot, const Probe& probe) {
  for (std::size_t word = 0; word < slot.head.size(); ++word) {
    if (slot.head[word] != probe.head[word]) return slot.head[word] < probe.head[word] ? -1 : 1;
  }
  // Equal heads: the same full_key, unless both are longer than the head holds.
  if ((slot.head[2] & 0xff) <= 23) return 0;
  return compare(FullKeyView(slot.node->identity), probe.key);
}

std::pair<std::size_t, std::size_t> FullKeyIndex::lower_bound(const Probe& probe) const {
  const auto below = [&](const Slot& slot) { return order_of(slot, probe) < 0; };
  std::size_t block =
      std::partition_point(blocks_.begin(), blocks_.end(),
                           [&](const Block& candidate) { return below(candidate.first); }) -
      blocks_.begin();
  // Every slot of the blocks from `block` on is not below the probe; the first such slot may
  // also be in the block before.
  if (block == 0) return {0, 0};
  --block;
  const Slots& slots = blocks_[block].slots;
  prefetch(slots.data(), slots.size() * sizeof(Slot));
  const std::size_t at = std::partition_point(slots.begin(), slots.end(), below) - slots.begin();
  if (at == slots.size()) return {block + 1, 0};
  return {block, at};
}

void FullKeyIndex::insert(EntryNode& node) {
  const Probe probe = probe_of(FullKeyView(node.identity));
  const Slot slot{.head = probe.head, .node = &node};
  if (blocks_.empty()) {
    Slots slots{Slots::allocator_type(*allocated_bytes_)};
    slots.push_back(slot);
    blocks_.push_back(Block{.first = slot, .slots = std::move(slots)});
    ++size_;
    return;
  }

  // After any equal slots: in the last block whose first slot is not above the new one, or in
  // the first block when all are.
  const auto not_above = [&](const Slot& other) { return order_of(other, probe) <= 0; };
  std::size_t block =
      std::partition_point(blocks_.begin(), blocks_.end(),
                           [&](const Block& candidate) { return not_above(candidate.first); }) -
      blocks_.begin();
  if (block > 0) --block;
  Slots& slots = blocks_[block].slots;
  prefetch(slots.data(), slots.size() * sizeof(Slot));
  const std::size_t at =
      std::partition_point(slots.begin(), slots.end(), not_above) - slots.begin();
  if (slots.size() < block_slots) {
    slots.insert(slots.begin() + static_cast<std::ptrdiff_t>(at), slot);  // all or nothing
    if (at == 0) blocks_[block].first = slot;
  } else {
    split_insert(block, at, slot);
  }
  ++size_;
}

void FullKeyIndex::split_insert(std::size_t block, std::size_t at, const Slot& slot) {
  constexpr std::size_t half = block_slots / 2;
  // Allocate first, so that a failure leaves the index as it was.
  Slots upper{Slots::allocator_type(*allocated_bytes_)};
  upper.reserve(half + 1);
  if (blocks_.size() == blocks_.capacity()) blocks_.reserve(2 * blocks_.size());

  // Nothing below allocates: the full block keeps its room, and the new one has enough.
  Slots& lower = blocks_[block].slots;
  upper.assign(lower.begin() + half, lower.end());
  lower.erase(lower.begin() + half, lower.end());
  if (at <= half) {
    lower.insert(lower.begin() + static_cast<std::ptrdiff_t>(at), slot);
    if (at == 0) blocks_[block].first = slot;
  } else {
    upper.insert(upper.begin() + static_cast<std::ptrdiff_t>(at - half), slot);
  }
  const Slot upper_first = upper.front();
  blocks_.insert(blocks_.begin() + static_cast<std::ptrdiff_t>(block + 1),
                 Block{.first = upper_first, .slots = std::move(upper)});
}

void FullKeyIndex::erase(const EntryNode& node) noexcept {
  const Probe probe = probe_of(FullKeyView(node.identity));
  // The node is among the slots equal to it, which start at the lower bound.
  for (auto [block, at] = lower_bound(probe); block < blocks_.size();) {
    Slots& slots = blocks_[block].slots;
    if (at == slots.size()) {
      ++block;
      at = 0;
      continue;
    }
    if (slots[at].node == &node) {
      slots.erase(slots.begin() + static_cast<std::ptrdiff_t>(at));
      --size_;
      if (at == 0 && !slots.empty()) blocks_[block].first = slots.front();
      after_erase(block);
      return;
    }
    assert(order_of(slots[at], probe) == 0 && "an indexed node sits among its equals");
    ++at;
  }
  assert(false && "erase of a node the index does not hold");
}

void FullKeyIndex::after_erase(std::size_t block) noexcept {
  Slots& slots = blocks_[block].slots;
  if (!slots.empty()) {
    shrink_if_sparse(slots);
    return;
  }
  blocks_.erase(blocks_.begin() + static_cast<std::ptrdiff_t>(block));  // frees its slots
  if (blocks_.empty()) {
    clear();
  } else {
    shrink_if_sparse(blocks_);
  }
}

void FullKeyIndex::clear() noexcept {
  blocks_ = Blocks(Blocks::allocator_type(*allocated_bytes_));
  size_ = 0;
}

void FullKeyIndex::shrink_to_fit() {
  if (blocks_.empty()) {
    clear();
    return;
  }
  for (Block& block : blocks_) block.slots.shrink_to_fit();
  blocks_.shrink_to_fit();
}

}  // namespace portico::cache::internal
