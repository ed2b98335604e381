#include "entry_table.hpp"

#include <memory>
#include <utility>

namespace portico::cache::internal {

namespace {

constexpr std::size_t kMinSlots = 8;

// The smallest power-of-two slot count that holds `entries` at a load of at most 3/4.
std::size_t slots_for(std::size_t entries) {
  std::size_t slots = kMinSlots;
  while (slots * 3 < entries * 4) slots *= 2;
  return slots;
}

}  // namespace

EntryTable::EntryTable(std::size_t& allocated_bytes)
    : allocated_bytes_(&allocated_bytes), slots_(Slots::allocator_type(allocated_bytes)) {}

EntryTable::~EntryTable() { clear(); }

EntryNode* EntryTable::find(const IdentityView& identity) const {
  if (size_ == 0) return nullptr;
  for (std::size_t i = identity.hash & mask();; i = (i + 1) & mask()) {
    const Slot& slot = slots_[i];
    if (slot.entry == nullptr) return nullptr;  // the load stays below 1: a probe always ends
    if (slot.hash == identity.hash && identity.names(slot.entry->identity)) {
      return &slot.entry->node;
    }
  }
}

EntryNode& EntryTable::insert(std::size_t hash, EntryIdentity identity, EntryNode node) {
  if (slots_.empty() || (size_ + 1) * 4 > slots_.size() * 3) rebuild(slots_for(size_ + 1));
  CountingAllocator<StoredEntry> allocator(*allocated_bytes_);
  StoredEntry* entry = allocator.allocate(1);
  // Moving strings, vectors and optionals does not throw: nothing below can fail.
  std::construct_at(entry, StoredEntry{.identity = std::move(identity), .node = std::move(node)});
  entry->node.identity = &entry->identity;
  place(Slot{.hash = hash, .entry = entry});
  ++size_;
  return entry->node;
}

void EntryTable::erase(EntryNode& node) noexcept {
  const std::size_t hash = IdentityView(*node.identity).hash;
  std::size_t hole = hash & mask();
  while (&slots_[hole].entry->node != &node) hole = (hole + 1) & mask();
  StoredEntry* entry = slots_[hole].entry;
  // Backward shift: a later slot of the same cluster moves into the hole unless the hole lies
  // before its home position (it would then be unreachable from there).
  for (std::size_t next = (hole + 1) & mask(); slots_[next].entry != nullptr;
       next = (next + 1) & mask()) {
    const std::size_t home = slots_[next].hash & mask();
    if (((next - home) & mask()) >= ((next - hole) & mask())) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = Slot{};
  --size_;
  std::destroy_at(entry);
  CountingAllocator<StoredEntry>(*allocated_bytes_).deallocate(entry, 1);
}

void EntryTable::clear() noexcept {
  CountingAllocator<StoredEntry> allocator(*allocated_bytes_);
  for (Slot& slot : slots_) {
    if (slot.entry == nullptr) continue;
    std::destroy_at(slot.entry);
    allocator.deallocate(slot.entry, 1);
  }
  Slots(Slots::allocator_type(*allocated_bytes_)).swap(slots_);
  size_ = 0;
}

void EntryTable::shrink_to_fit() {
  if (size_ == 0) {
    Slots(Slots::allocator_type(*allocated_bytes_)).swap(slots_);
    return;
  }
  if (const std::size_t wanted = slots_for(size_); wanted < slots_.size()) rebuild(wanted);
}

void EntryTable::rebuild(std::size_t capacity) {
  Slots fresh(capacity, Slot{}, Slots::allocator_type(*allocated_bytes_));  // may throw
  fresh.swap(slots_);
  for (const Slot& slot : fresh) {
    if (slot.entry != nullptr) place(slot);
  }
}

void EntryTable::place(Slot slot) noexcept {
  std::size_t i = slot.hash & mask();
  while (slots_[i].entry != nullptr) i = (i + 1) & mask();
  slots_[i] = slot;
}

}  // namespace portico::cache::internal
