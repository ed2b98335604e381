#include "engine/access_buffer.hpp"

#include <algorithm>

namespace portico::cache::internal {

std::uint64_t AccessBuffer::record_hit(std::string_view id, std::int64_t created_ns,
                                       std::int64_t now_ns) {
  Shard& shard = shard_of(id);
  std::lock_guard lock(shard.mutex);
  auto it = shard.pending.find(id);
  if (it == shard.pending.end()) {
    it = shard.pending.emplace(std::string(id), PendingAccess{.created_ns = created_ns}).first;
  } else if (it->second.created_ns != created_ns) {
    it->second = PendingAccess{.created_ns = created_ns};
  }
  it->second.hits += 1;
  it->second.last_accessed_ns = std::max(it->second.last_accessed_ns, now_ns);
  return it->second.hits;
}

void AccessBuffer::forget(std::string_view id) {
  Shard& shard = shard_of(id);
  std::lock_guard lock(shard.mutex);
  if (auto it = shard.pending.find(id); it != shard.pending.end()) shard.pending.erase(it);
}

std::vector<std::pair<std::string, PendingAccess>> AccessBuffer::drain() {
  std::vector<std::pair<std::string, PendingAccess>> taken;
  for (Shard& shard : shards_) {
    Map pending;
    {
      std::lock_guard lock(shard.mutex);
      pending.swap(shard.pending);
    }
    for (auto& [id, access] : pending) taken.emplace_back(id, access);
  }
  return taken;
}

void AccessBuffer::clear() {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    shard.pending.clear();
  }
}

}  // namespace portico::cache::internal
