#include "rocksdb/access_buffer.hpp"

#include <algorithm>
#include <functional>
#include <utility>

namespace portico::cache::internal {

namespace {

constexpr std::size_t kMinSlots = 64;
// Arena bytes of erased ids tolerated before a rebuild reclaims them.
constexpr std::size_t kMinDeadBytes = 4096;

// The smallest power-of-two slot count that holds `entries` at a load of at most 1/2, so
// that a table sized for one interval's ids takes the next interval's without growing.
std::size_t slots_for(std::size_t entries) {
  std::size_t slots = kMinSlots;
  while (slots < entries * 2) slots *= 2;
  return slots;
}

}  // namespace

// --- Table -----------------------------------------------------------------------------------

AccessBuffer::Table::Table(std::size_t ids, std::size_t id_bytes) {
  if (ids > 0) slots_.assign(slots_for(ids), Slot{});
  arena_.reserve(id_bytes);
}

AccessBuffer::Table::Slot* AccessBuffer::Table::find(std::string_view id, std::size_t hash) {
  if (slots_.empty()) return nullptr;
  const std::size_t mask = slots_.size() - 1;
  // The load stays at or below 3/4, so an empty slot always ends the probe.
  for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
    Slot& slot = slots_[i];
    if (slot.state == SlotState::empty) return nullptr;
    if (slot.state == SlotState::full && slot.hash == hash && id_of(slot) == id) return &slot;
  }
}

PendingAccess& AccessBuffer::Table::find_or_add(std::string_view id, std::size_t hash) {
  if (Slot* slot = find(id, hash)) return slot->access;
  // Rebuilt when tombstones would lengthen probes too much, or when the bytes of erased ids
  // (a set between hits forgets an id, the next hit appends it again) outweigh the live ones.
  if ((occupied_ + 1) * 4 > slots_.size() * 3 ||
      (dead_bytes_ > kMinDeadBytes && dead_bytes_ * 2 > arena_.size())) {
    grow();
  }
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = hash & mask;
  while (slots_[i].state == SlotState::full) i = (i + 1) & mask;
  Slot& slot = slots_[i];
  if (slot.state == SlotState::empty) ++occupied_;
  ++size_;
  slot = Slot{.hash = hash, .offset = arena_.size(), .length = id.size(), .access = {},
              .state = SlotState::full};
  arena_.append(id);
  return slot.access;
}

void AccessBuffer::Table::erase(std::string_view id, std::size_t hash) {
  // The slot stays occupied (a tombstone) so that later probes still pass over it; its id
  // bytes stay in the arena until the next grow() or drain.
  if (Slot* slot = find(id, hash)) {
    slot->state = SlotState::erased;
    dead_bytes_ += slot->length;
    --size_;
  }
}

void AccessBuffer::Table::grow() {
  // Tombstones and the arena bytes of erased ids go too, so that set/get churn on the same
  // keys keeps the table bounded by the number of distinct live ids, not by the hits.
  std::vector<Slot> old = std::move(slots_);
  std::string old_arena = std::move(arena_);
  arena_ = std::string();
  slots_.assign(slots_for(size_ + 1), Slot{});
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.state != SlotState::full) continue;
    std::size_t i = slot.hash & mask;
    while (slots_[i].state != SlotState::empty) i = (i + 1) & mask;
    slots_[i] = slot;
    slots_[i].offset = arena_.size();
    arena_.append(old_arena, slot.offset, slot.length);
  }
  occupied_ = size_;
  dead_bytes_ = 0;
}

void AccessBuffer::Table::take_into(std::vector<std::pair<std::string, PendingAccess>>& out) const {
  for (const Slot& slot : slots_) {
    if (slot.state == SlotState::full) out.emplace_back(std::string(id_of(slot)), slot.access);
  }
}

// --- AccessBuffer ----------------------------------------------------------------------------

std::size_t AccessBuffer::hash_of(std::string_view id) { return std::hash<std::string_view>{}(id); }

std::uint64_t AccessBuffer::record_hit(std::string_view id, std::int64_t created_ns,
                                       std::int64_t now_ns) {
  const std::size_t hash = hash_of(id);
  Shard& shard = shard_of(hash);
  std::lock_guard lock(shard.mutex);
  PendingAccess& access = shard.table.find_or_add(id, hash);
  if (access.hits == 0 || access.created_ns != created_ns) {
    access = PendingAccess{.created_ns = created_ns};
  }
  access.hits += 1;
  access.last_accessed_ns = std::max(access.last_accessed_ns, now_ns);
  return access.hits;
}

std::size_t AccessBuffer::memory_bytes() const {
  std::size_t bytes = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    bytes += shard.table.memory_bytes();
  }
  return bytes;
}

void AccessBuffer::forget(std::string_view id) {
  const std::size_t hash = hash_of(id);
  Shard& shard = shard_of(hash);
  std::lock_guard lock(shard.mutex);
  shard.table.erase(id, hash);
}

AccessBuffer::Table AccessBuffer::fresh_table_for(Shard& shard) {
  std::size_t ids = 0;
  std::size_t id_bytes = 0;
  {
    std::lock_guard lock(shard.mutex);
    ids = shard.table.size();
    id_bytes = shard.table.id_bytes();
  }
  return Table(ids, id_bytes);  // allocated without holding the lock
}

std::vector<std::pair<std::string, PendingAccess>> AccessBuffer::drain() {
  std::vector<std::pair<std::string, PendingAccess>> taken;
  for (Shard& shard : shards_) {
    Table pending = fresh_table_for(shard);
    {
      std::lock_guard lock(shard.mutex);
      std::swap(pending, shard.table);
    }
    pending.take_into(taken);
  }
  return taken;
}

void AccessBuffer::clear() {
  for (Shard& shard : shards_) {
    Table dropped;
    std::lock_guard lock(shard.mutex);
    std::swap(dropped, shard.table);
  }
}

}  // namespace portico::cache::internal
