#include "shard.hpp"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include <portico/cache/errors.hpp>

namespace portico::cache::internal {

namespace {

// full_key() of an identity, built in a buffer reused across a whole scan.
const std::string& full_key_of(const IdentityView& identity, std::string& buffer) {
  buffer.clear();
  if (identity.ns) buffer.append(*identity.ns).push_back(':');
  buffer.append(identity.key);
  return buffer;
}

CacheKey key_of(const EntryNode& node) {
  std::optional<std::string> ns;
  if (node.identity.ns) ns.emplace(*node.identity.ns);
  return CacheKey{.key = std::string(node.identity.key), .ns = std::move(ns), .tags = node.tags};
}

}  // namespace

void EvictionReport::append(EvictionReport&& other) noexcept {
  unkeyed += other.unkeyed;
  try {
    keys.insert(keys.end(), std::make_move_iterator(other.keys.begin()),
                std::make_move_iterator(other.keys.end()));
  } catch (...) {
    unkeyed += other.keys.size();  // out of memory: the events lose their keys, not their count
  }
  other.keys.clear();
  other.unkeyed = 0;
}

void EvictionReport::emit(EventSink& events) noexcept {
  for (CacheKey& key : keys) {
    events.emit(CacheEvent{.kind = EventKind::evicted, .message = {}, .key = std::move(key),
                           .count = 1});
  }
  if (unkeyed != 0) {
    events.emit(CacheEvent{.kind = EventKind::evicted, .message = {}, .key = {}, .count = unkeyed});
  }
  keys.clear();
  unkeyed = 0;
}

// Holds the shard's lock like a std::lock_guard; on destruction, also when an exception
// leaves the call, it takes the evictions made meanwhile, releases the lock and reports them.
class Shard::ReportingLock {
 public:
  explicit ReportingLock(Shard& shard) : shard_(shard), lock_(shard.mutex_) {}
  ReportingLock(const ReportingLock&) = delete;
  ReportingLock& operator=(const ReportingLock&) = delete;
  ~ReportingLock() {
    if (shard_.pending_evictions_.empty()) return;
    EvictionReport report = std::exchange(shard_.pending_evictions_, EvictionReport{});
    lock_.unlock();
    report.emit(shard_.events_);
  }

 private:
  Shard& shard_;
  std::unique_lock<std::mutex> lock_;
};

Shard::Shard(ShardBounds bounds, EvictionPolicy policy, EventSink& events)
    : events_(events),
      collect_evicted_keys_(events.active()),
      bounds_(bounds),
      entries_(allocated_bytes_),
      tag_index_(NodeIndex::allocator_type(allocated_bytes_)),
      namespace_index_(NodeIndex::allocator_type(allocated_bytes_)),
      created_index_(CreatedIndex::allocator_type(allocated_bytes_)),
      expiry_index_(ExpiryIndex::allocator_type(allocated_bytes_)),
      full_key_index_(allocated_bytes_),
      lfu_order_(allocated_bytes_),
      order_(policy == EvictionPolicy::lfu ? static_cast<EvictionOrder*>(&lfu_order_)
                                           : &lru_order_) {}

// The orders hold no nodes of their own (LFU's buckets are freed by its destructor), and the
// containers release their blocks through allocated_bytes_, which is destroyed last.
Shard::~Shard() = default;

std::optional<EntrySnapshot> Shard::get(const IdentityView& identity, TimePoint now) {
  const ReportingLock lock(*this);
  return get_locked(identity, now);
}

std::vector<std::optional<EntrySnapshot>> Shard::get_many(std::span<const IdentityView> identities,
                                                          TimePoint now) {
  std::vector<std::optional<EntrySnapshot>> snapshots;
  snapshots.reserve(identities.size());
  const ReportingLock lock(*this);
  for (const IdentityView& identity : identities) snapshots.push_back(get_locked(identity, now));
  return snapshots;
}

void Shard::set(PreparedEntry entry) {
  const ReportingLock lock(*this);
  store_locked(std::move(entry));
}

void Shard::set_many(std::span<PreparedEntry> entries) {
  const ReportingLock lock(*this);
  for (PreparedEntry& entry : entries) store_locked(std::move(entry));
}

bool Shard::erase(const IdentityView& identity, TimePoint now) {
  const std::lock_guard lock(mutex_);
  return erase_locked(identity, now);
}

std::size_t Shard::erase_many(std::span<const IdentityView> identities, TimePoint now) {
  const std::lock_guard lock(mutex_);
  std::size_t erased = 0;
  for (const IdentityView& identity : identities) erased += erase_locked(identity, now) ? 1 : 0;
  return erased;
}

std::size_t Shard::erase_matching(const KeyPattern& pattern, TimePoint now) {
  const std::lock_guard lock(mutex_);
  // Every match starts with the literal prefix, and the entries that do are one range of the
  // full_key index.
  std::string full_key;
  std::vector<EntryNode*> matches;
  full_key_index_.for_each_with_prefix(pattern.literal_prefix(), [&](EntryNode& node) {
    ++pattern_tests_;
    if (pattern.matches(full_key_of(node.identity, full_key))) matches.push_back(&node);
  });
  std::size_t erased = 0;
  // Last first: removing the end of a range of slots shifts none of the others.
  for (auto match = matches.rbegin(); match != matches.rend(); ++match) {
    erased += (*match)->is_expired(now) ? 0 : 1;
    remove_locked(**match);
  }
  return erased;
}

std::size_t Shard::erase_namespace(const std::string& ns, TimePoint now) {
  const std::lock_guard lock(mutex_);
  return erase_indexed_locked(namespace_index_, ns, now);
}

std::size_t Shard::erase_tags(const std::vector<std::string>& tags, TimePoint now) {
  const std::lock_guard lock(mutex_);
  std::size_t erased = 0;
  // An entry carrying several of the tags is gone after the first, so it is counted once.
  for (const std::string& tag : tags) erased += erase_indexed_locked(tag_index_, tag, now);
  return erased;
}

void Shard::clear() {
  const std::lock_guard lock(mutex_);
  order_->reset();
  full_key_index_.clear();
  expiry_index_.clear();
  created_index_.clear();
  // Fresh containers rather than clear(): clear() keeps the bucket arrays allocated.
  tag_index_ = NodeIndex(NodeIndex::allocator_type(allocated_bytes_));
  namespace_index_ = NodeIndex(NodeIndex::allocator_type(allocated_bytes_));
  entries_.clear();
  string_bytes_ = 0;
}

bool Shard::exists(const IdentityView& identity, TimePoint now) {
  const std::lock_guard lock(mutex_);
  EntryNode* node = entries_.find(identity);
  if (node == nullptr) return false;
  if (node->is_expired(now)) {
    remove_locked(*node);
    return false;
  }
  return true;
}

std::size_t Shard::cleanup_expired(TimePoint now) {
  const std::lock_guard lock(mutex_);
  std::size_t removed = 0;
  while (!expiry_index_.empty() && now > expiry_index_.begin()->first) {
    remove_locked(*expiry_index_.begin()->second);
    ++removed;
  }
  return removed;
}

ShardStats Shard::stats() const {
  const std::lock_guard lock(mutex_);
  ShardStats stats{.entries = entries_.size(),
                   .hits = hits_,
                   .misses = misses_,
                   .footprint_bytes = footprint_locked(),
                   .evictions = evictions_};
  if (!created_index_.empty()) {
    stats.oldest_created = *created_index_.begin();
    stats.newest_created = *created_index_.rbegin();
  }
  return stats;
}

void Shard::set_policy(EvictionPolicy policy, TimePoint now, EvictionReport& evicted) {
  const std::lock_guard lock(mutex_);
  // Destroyed before the lock is released, also when an exception leaves.
  struct HandOver {
    EvictionReport& from;
    EvictionReport& to;
    ~HandOver() { to.append(std::move(from)); }
  } hand_over{pending_evictions_, evicted};
  EvictionOrder& target =
      policy == EvictionPolicy::lfu ? static_cast<EvictionOrder&>(lfu_order_) : lru_order_;
  if (&target == order_) return;

  std::vector<EntryNode*> nodes;
  nodes.reserve(entries_.size());
  entries_.for_each([&](EntryNode& node) { nodes.push_back(&node); });
  std::sort(nodes.begin(), nodes.end(),
            [&](const EntryNode* a, const EntryNode* b) { return target.precedes(*a, *b); });

  // Both orders thread the same links through the nodes, so the old order is dropped first.
  order_->reset();
  order_ = &target;
  try {
    for (EntryNode* node : nodes) target.insert(*node);
  } catch (...) {
    // Only LFU allocates. Fall back to LRU, which cannot fail, so every node stays ordered.
    target.reset();
    std::sort(nodes.begin(), nodes.end(), [&](const EntryNode* a, const EntryNode* b) {
      return lru_order_.precedes(*a, *b);
    });
    for (EntryNode* node : nodes) lru_order_.insert(*node);
    order_ = &lru_order_;
    throw;
  }
  // LFU's frequency buckets take memory of their own.
  enforce_bounds_locked(nullptr, now);
}

std::uint64_t Shard::pattern_tests() const {
  const std::lock_guard lock(mutex_);
  return pattern_tests_;
}

EvictionPolicy Shard::policy() const {
  const std::lock_guard lock(mutex_);
  return order_->policy();
}

void Shard::check_health(const IdentityView& probe) const {
  const std::lock_guard lock(mutex_);
  (void)entries_.find(probe);
  if (bounds_.max_entries && entries_.size() > *bounds_.max_entries) {
    throw CacheError(fmt::format("memory cache shard holds {} entries, over its bound of {}",
                                 entries_.size(), *bounds_.max_entries));
  }
  if (over_memory_locked()) {
    throw CacheError(fmt::format("memory cache shard occupies {} bytes, over its budget of {}",
                                 footprint_locked(), *bounds_.max_bytes));
  }
}

std::optional<EntrySnapshot> Shard::get_locked(const IdentityView& identity, TimePoint now) {
  EntryNode* node = entries_.find(identity);
  if (node == nullptr || node->is_expired(now)) {
    if (node != nullptr) remove_locked(*node);
    ++misses_;
    return std::nullopt;
  }

  // Reorder first: it is the one step that may fail (LFU may need a bucket), and on failure
  // nothing has changed yet.
  ++node->hit_count;
  try {
    order_->on_hit(*node);
  } catch (...) {
    --node->hit_count;
    throw;
  }
  node->last_accessed = now;
  node->last_use = ++use_sequence_;
  ++hits_;

  const IdentityView& id = node->identity;
  std::optional<std::string> ns;
  if (id.ns) ns.emplace(*id.ns);
  EntrySnapshot snapshot{.key = CacheKey{.key = std::string(id.key),
                                         .ns = std::move(ns),
                                         .tags = node->tags},
                         .value = stored_value_of(node->value_bytes, node->decompressed_size),
                         .created_at = node->created_at,
                         .expires_at = node->expires_at,
                         .hit_count = node->hit_count,
                         .last_accessed = node->last_accessed};
  // A new LFU bucket may have pushed the shard over its memory budget.
  if (over_memory_locked()) enforce_bounds_locked(node, now);
  return snapshot;
}

void Shard::store_locked(PreparedEntry&& entry) {
  const TimePoint now = entry.created_at;
  const IdentityView identity(entry.identity);
  if (EntryNode* previous = entries_.find(identity)) {
    if (overwrite_locked(*previous, entry)) {
      enforce_bounds_locked(previous, now);  // LFU may have taken a new bucket
      return;
    }
    remove_locked(*previous);
  }

  const std::size_t before = footprint_locked();
  EntryNode& node = link_locked(identity, std::move(entry));
  const std::size_t cost = footprint_locked() - before;
  if (bounds_.max_bytes && empty_footprint() + cost > *bounds_.max_bytes) {
    // It would not fit even alone: store nothing, rather than evict everything for nothing.
    // (Conservative when this insertion also grew a bucket array: the growth counts as cost.)
    remove_locked(node);
    enforce_bounds_locked(nullptr, now);
    return;
  }
  enforce_bounds_locked(&node, now);
}

bool Shard::overwrite_locked(EntryNode& node, PreparedEntry& entry) {
  if (node.tags != entry.tags || node.value_bytes.size() != stored_bytes(entry.value).size()) {
    return false;
  }
  // The index allocations come first: if one throws, nothing has changed.
  const CreatedIndex::iterator created =
      created_index_.insert(created_index_.end(), entry.created_at);
  std::optional<ExpiryIndex::iterator> expiry;
  try {
    if (entry.expires_at) expiry = expiry_index_.emplace(*entry.expires_at, &node);
  } catch (...) {
    created_index_.erase(created);
    throw;
  }
  if (node.created_position) created_index_.erase(*node.created_position);
  node.created_position = created;
  if (node.expiry_position) expiry_index_.erase(*node.expiry_position);
  node.expiry_position = expiry;
  entries_.replace_value(node, stored_bytes(entry.value));
  node.decompressed_size = decompressed_size_of(entry.value);
  node.expires_at = entry.expires_at;
  node.created_at = entry.created_at;
  node.hit_count = 0;
  node.last_accessed = entry.created_at;
  node.last_use = ++use_sequence_;
  // Where a new entry goes in the eviction order.
  order_->remove(node);
  node.in_eviction_order = false;
  try {
    order_->insert(node);
  } catch (...) {
    remove_locked(node);  // as a failed set of a new key, it leaves no entry behind
    throw;
  }
  node.in_eviction_order = true;
  return true;
}

EntryNode& Shard::link_locked(const IdentityView& identity, PreparedEntry&& entry) {
  EntryNode& node = entries_.insert(
      identity, stored_bytes(entry.value),
      EntryNode{.expires_at = entry.expires_at,
                .decompressed_size = decompressed_size_of(entry.value),
                .created_at = entry.created_at,
                .hit_count = 0,
                .last_accessed = entry.created_at,
                .last_use = ++use_sequence_,
                .tags = std::move(entry.tags)});
  std::size_t string_bytes = node.tags.capacity() * sizeof(std::string);
  for (const std::string& tag : node.tags) string_bytes += heap_bytes(tag);
  node.string_bytes = string_bytes;
  string_bytes_ += string_bytes;

  try {
    node.created_position = created_index_.insert(node.created_at);
    if (node.expires_at) node.expiry_position = expiry_index_.emplace(*node.expires_at, &node);
    full_key_index_.insert(node);
    node.in_full_key_index = true;
    for (const std::string& tag : node.tags) add_to_index(tag_index_, tag, node);
    if (node.identity.ns) add_to_index(namespace_index_, *node.identity.ns, node);
    order_->insert(node);
    node.in_eviction_order = true;
  } catch (...) {
    remove_locked(node);
    throw;
  }
  return node;
}

void Shard::add_to_index(NodeIndex& index, std::string_view name, EntryNode& node) {
  auto position = index.find(name);
  if (position == index.end()) {
    position =
        index.emplace(std::string(name), NodeSet(NodeSet::allocator_type(allocated_bytes_))).first;
    string_bytes_ += heap_bytes(position->first);
  }
  try {
    position->second.insert(&node);
  } catch (...) {
    if (position->second.empty()) {
      string_bytes_ -= heap_bytes(position->first);
      index.erase(position);
    }
    throw;
  }
}

void Shard::remove_from_index(NodeIndex& index, std::string_view name, EntryNode& node) {
  const auto position = index.find(name);
  if (position == index.end()) return;
  position->second.erase(&node);
  if (position->second.empty()) {
    string_bytes_ -= heap_bytes(position->first);
    index.erase(position);
  }
}

void Shard::remove_locked(EntryNode& node) {
  if (node.in_eviction_order) {
    order_->remove(node);
    node.in_eviction_order = false;
  }
  if (node.identity.ns) remove_from_index(namespace_index_, *node.identity.ns, node);
  for (const std::string& tag : node.tags) remove_from_index(tag_index_, tag, node);
  if (node.in_full_key_index) full_key_index_.erase(node);
  if (node.expiry_position) expiry_index_.erase(*node.expiry_position);
  if (node.created_position) created_index_.erase(*node.created_position);
  string_bytes_ -= node.string_bytes;
  entries_.erase(node);
}

bool Shard::erase_locked(const IdentityView& identity, TimePoint now) {
  EntryNode* node = entries_.find(identity);
  if (node == nullptr) return false;
  const bool was_live = !node->is_expired(now);
  remove_locked(*node);
  return was_live;
}

std::size_t Shard::erase_indexed_locked(NodeIndex& index, const std::string& name,
                                        TimePoint now) {
  std::size_t erased = 0;
  // Each removal may drop the index entry itself once its set is empty, so look it up afresh.
  for (auto position = index.find(name); position != index.end(); position = index.find(name)) {
    EntryNode& node = **position->second.begin();
    erased += node.is_expired(now) ? 0 : 1;
    remove_locked(node);
  }
  return erased;
}

void Shard::enforce_bounds_locked(EntryNode* spare, TimePoint now) {
  if (bounds_.max_entries) {
    while (entries_.size() > *bounds_.max_entries) {
      EntryNode* victim = next_to_evict_locked(spare, now);
      if (victim == nullptr) break;
      evict_locked(*victim, now);
    }
  }
  bool compacted = false;
  while (over_memory_locked()) {
    if (EntryNode* victim = next_to_evict_locked(spare, now)) {
      evict_locked(*victim, now);
    } else if (!compacted) {
      // Only `spare` is left, yet bucket arrays sized for earlier entries remain.
      compact_locked();
      compacted = true;
    } else if (spare != nullptr) {
      evict_locked(*spare, now);
      spare = nullptr;
      compacted = false;
    } else {
      break;  // Empty and compacted: empty_footprint(), which the budget always covers.
    }
  }
}

void Shard::evict_locked(EntryNode& victim, TimePoint now) {
  if (!victim.is_expired(now)) {
    ++evictions_;
    if (collect_evicted_keys_) {
      try {
        pending_evictions_.keys.push_back(key_of(victim));
      } catch (...) {
        ++pending_evictions_.unkeyed;  // out of memory: the event loses its key, not its count
      }
    }
  }
  remove_locked(victim);
}

EntryNode* Shard::next_to_evict_locked(const EntryNode* spare, TimePoint now) const {
  // An expired entry is worth nothing: evict it before any live one.
  if (!expiry_index_.empty()) {
    const auto& [expires_at, node] = *expiry_index_.begin();
    if (now > expires_at && node != spare) return node;
  }
  return order_->victim(spare);
}

bool Shard::over_memory_locked() const {
  return bounds_.max_bytes && footprint_locked() > *bounds_.max_bytes;
}

void Shard::compact_locked() {
  if (entries_.empty()) {
    // Back to the state of a new shard, whose footprint the budget is known to cover.
    full_key_index_.clear();
    tag_index_ = NodeIndex(NodeIndex::allocator_type(allocated_bytes_));
    namespace_index_ = NodeIndex(NodeIndex::allocator_type(allocated_bytes_));
    entries_.shrink_to_fit();
    return;
  }
  entries_.shrink_to_fit();
  full_key_index_.shrink_to_fit();
  tag_index_.rehash(0);
  namespace_index_.rehash(0);
  for (auto& [tag, nodes] : tag_index_) nodes.rehash(0);
  for (auto& [ns, nodes] : namespace_index_) nodes.rehash(0);
}

std::size_t Shard::footprint_locked() const {
  return empty_footprint() + allocated_bytes_ + string_bytes_;
}

}  // namespace portico::cache::internal
