#include "entry_table.hpp"

#include <cassert>
#include <cstring>
#include <memory>
#include <new>
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

// Blocks come from std::allocator<std::byte>, which aligns them for any type new would.
static_assert(alignof(EntryNode) <= __STDCPP_DEFAULT_NEW_ALIGNMENT__);

}  // namespace

EntryTable::EntryTable(std::size_t& allocated_bytes)
    : allocated_bytes_(&allocated_bytes), slots_(Slots::allocator_type(allocated_bytes)) {}

EntryTable::~EntryTable() { clear(); }

std::size_t EntryTable::block_size(const IdentityView& identity, std::size_t value_size) {
  return sizeof(EntryNode) + identity.key.size() + (identity.ns ? identity.ns->size() : 0) +
         value_size;
}

EntryNode* EntryTable::find(const IdentityView& identity) const {
  if (size_ == 0) return nullptr;
  for (std::size_t i = identity.hash & mask();; i = (i + 1) & mask()) {
    const Slot& slot = slots_[i];
    if (slot.node == nullptr) return nullptr;  // the load stays below 1: a probe always ends
    if (slot.hash == identity.hash && slot.node->identity == identity) return slot.node;
  }
}

EntryNode& EntryTable::insert(const IdentityView& identity, std::string_view value_bytes,
                              EntryNode node) {
  if (slots_.empty() || (size_ + 1) * 4 > slots_.size() * 3) rebuild(slots_for(size_ + 1));
  std::byte* block = CountingAllocator<std::byte>(*allocated_bytes_)
                         .allocate(block_size(identity, value_bytes.size()));
  // Nothing below can fail: moving strings, vectors and optionals does not throw.
  char* next = reinterpret_cast<char*>(block + sizeof(EntryNode));
  const auto copy = [&next](std::string_view bytes) {
    std::memcpy(next, bytes.data(), bytes.size());
    next += bytes.size();
    return std::string_view(next - bytes.size(), bytes.size());
  };
  const std::string_view key = copy(identity.key);
  std::optional<std::string_view> ns;
  if (identity.ns) ns = copy(*identity.ns);
  node.identity = IdentityView(key, ns, identity.hash);
  node.value_bytes = copy(value_bytes);
  EntryNode* stored = std::construct_at(reinterpret_cast<EntryNode*>(block), std::move(node));
  place(Slot{.hash = identity.hash, .node = stored});
  ++size_;
  return *stored;
}

void EntryTable::replace_value(EntryNode& node, std::string_view value_bytes) noexcept {
  assert(value_bytes.size() == node.value_bytes.size());
  // value_bytes views the node's own block, so the new bytes go where the old ones were.
  std::memcpy(const_cast<char*>(node.value_bytes.data()), value_bytes.data(), value_bytes.size());
}

void EntryTable::destroy(EntryNode* node) noexcept {
  const std::size_t size = block_size(node->identity, node->value_bytes.size());
  std::destroy_at(node);
  CountingAllocator<std::byte>(*allocated_bytes_)
      .deallocate(reinterpret_cast<std::byte*>(node), size);
}

void EntryTable::erase(EntryNode& node) noexcept {
  std::size_t hole = node.identity.hash & mask();
  while (slots_[hole].node != &node) hole = (hole + 1) & mask();
  // Backward shift: a later slot of the same cluster moves into the hole unless the hole lies
  // before its home position (it would then be unreachable from there).
  for (std::size_t next = (hole + 1) & mask(); slots_[next].node != nullptr;
       next = (next + 1) & mask()) {
    const std::size_t home = slots_[next].hash & mask();
    if (((next - home) & mask()) >= ((next - hole) & mask())) {
      slots_[hole] = slots_[next];
      hole = next;
    }
  }
  slots_[hole] = Slot{};
  --size_;
  destroy(&node);
}

void EntryTable::clear() noexcept {
  for (Slot& slot : slots_) {
    if (slot.node != nullptr) destroy(slot.node);
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
    if (slot.node != nullptr) place(slot);
  }
}

void EntryTable::place(Slot slot) noexcept {
  std::size_t i = slot.hash & mask();
  while (slots_[i].node != nullptr) i = (i + 1) & mask();
  slots_[i] = slot;
}

}  // namespace portico::cache::internal
