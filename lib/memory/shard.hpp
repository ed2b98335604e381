// Shard: one mutex's worth of the memory cache.
//
// A shard owns its entries and every structure that finds them: the entry table keyed by
// identity, the tag and namespace indexes, the created_at, expiry and full_key indexes and the
// eviction order. It enforces its own part of the cache's bounds.
//
// Footprint: sizeof(Shard), plus every block its containers allocate (counted by
// CountingAllocator: the entries' blocks, which hold their keys, namespaces and values, the
// entry table's slots, index nodes, hash bucket arrays, the full_key index's slot arrays,
// frequency buckets), plus the heap blocks of the strings it stores (tags, index keys).
//
// Memory bound: after a store, the shard evicts (expired entries first, then in eviction
// order) until its footprint fits its budget. An entry that would not fit even alone in an
// empty shard is not stored, and evicts nothing. The budget must be at least
// empty_footprint().
//
// Evictions: every unexpired entry removed to stay within a bound is counted (an expired one
// removed to make room is not: it was already gone for every reader). When the event sink has
// a listener, the evicted keys are collected under the lock and reported once the call that
// evicted them has released it, on that call's thread: the listener may call into the cache.
//
// Thread-safety: every public method locks the shard's mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include <portico/cache/key.hpp>
#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/pattern.hpp>
#include <portico/cache/time.hpp>

#include "entry_node.hpp"
#include "entry_table.hpp"
#include "core/event_sink.hpp"
#include "footprint.hpp"
#include "full_key_index.hpp"
#include "identity.hpp"
#include "lfu_order.hpp"
#include "lru_order.hpp"
#include "shard_plan.hpp"
#include "stored_value.hpp"

namespace portico::cache::internal {

// An entry ready to be stored, built (and its value compressed) before the shard is locked.
struct PreparedEntry {
  EntryIdentity identity{};
  std::vector<std::string> tags{};
  StoredValue value{};
  TimePoint created_at{};  // also the "now" of the store
  std::optional<TimePoint> expires_at{};
};

// A copy of a stored entry taken under the lock; the value is still in its stored form, so
// decompression happens after the lock is released.
struct EntrySnapshot {
  CacheKey key{};
  StoredValue value{};
  TimePoint created_at{};
  std::optional<TimePoint> expires_at{};
  std::uint64_t hit_count = 0;
  TimePoint last_accessed{};
};

struct ShardStats {
  std::uint64_t entries = 0;  // stored, including expired ones not yet removed
  std::uint64_t hits = 0;
  std::uint64_t misses = 0;
  std::uint64_t footprint_bytes = 0;
  std::optional<TimePoint> oldest_created{};
  std::optional<TimePoint> newest_created{};
  std::uint64_t evictions = 0;
};

// Evictions made under a shard's lock, to report once it is released.
struct EvictionReport {
  std::vector<CacheKey> keys{};
  // Evictions whose key could not be kept (memory ran out): reported as one event.
  std::uint64_t unkeyed = 0;

  bool empty() const { return keys.empty() && unkeyed == 0; }
  // Moves `other`'s evictions here, leaving it empty.
  void append(EvictionReport&& other) noexcept;
  void emit(EventSink& events) noexcept;
};

// Aligned so that two shards' mutexes never share a cache line.
class alignas(64) Shard {
 public:
  // `events` must outlive the shard.
  Shard(ShardBounds bounds, EvictionPolicy policy, EventSink& events);
  ~Shard();
  Shard(const Shard&) = delete;
  Shard& operator=(const Shard&) = delete;

  // What a shard holding nothing occupies.
  static constexpr std::size_t empty_footprint() { return sizeof(Shard); }

  // A hit touches the entry; an absent or expired entry is a miss (an expired one is removed).
  std::optional<EntrySnapshot> get(const IdentityView& identity, TimePoint now);
  // Results in the order of `identities`; one lock for the whole batch.
  std::vector<std::optional<EntrySnapshot>> get_many(std::span<const IdentityView> identities,
                                                     TimePoint now);
  // Replaces any entry with the same identity, then enforces the bounds.
  void set(PreparedEntry entry);
  // In order, so a later entry for the same identity wins; one lock for the whole batch.
  void set_many(std::span<PreparedEntry> entries);

  // The erase family removes expired matches too but counts only unexpired ones.
  bool erase(const IdentityView& identity, TimePoint now);
  std::size_t erase_many(std::span<const IdentityView> identities, TimePoint now);
  // Tests only the entries whose full_key starts with the pattern's literal prefix.
  std::size_t erase_matching(const KeyPattern& pattern, TimePoint now);
  std::size_t erase_namespace(const std::string& ns, TimePoint now);
  std::size_t erase_tags(const std::vector<std::string>& tags, TimePoint now);
  void clear();

  // False for an absent or expired entry (an expired one is removed); counts nothing.
  bool exists(const IdentityView& identity, TimePoint now);
  std::size_t cleanup_expired(TimePoint now);
  ShardStats stats() const;
  // How many entries erase_matching has tested against a pattern, in total: lets the tests
  // see that a prefix scan stays within the prefix's range.
  std::uint64_t pattern_tests() const;

  // Rebuilds the eviction order under `policy`, keeping recency and hit counts. If that runs
  // out of memory the shard falls back to LRU, which needs no allocation, and rethrows.
  // Adds the evictions the change caused (LFU buckets take memory) to `evicted`, also when it
  // throws, for the caller to report once it holds no lock.
  void set_policy(EvictionPolicy policy, TimePoint now, EvictionReport& evicted);
  EvictionPolicy policy() const;

  // The health check's pass through the shard: takes its lock, looks `probe` up in the entry
  // table and checks that the shard is within its bounds; throws CacheError if not. Changes
  // nothing and counts nothing.
  void check_health(const IdentityView& probe) const;

 private:
  class ReportingLock;

  using NodeSet = std::unordered_set<EntryNode*, std::hash<EntryNode*>, std::equal_to<>,
                                     CountingAllocator<EntryNode*>>;
  // Tag or namespace -> the entries carrying it; searched by string_view, which is what a
  // stored entry's namespace is.
  struct NameHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view name) const {
      return std::hash<std::string_view>{}(name);
    }
  };
  using NodeIndex = std::unordered_map<std::string, NodeSet, NameHash, std::equal_to<>,
                                       CountingAllocator<std::pair<const std::string, NodeSet>>>;

  std::optional<EntrySnapshot> get_locked(const IdentityView& identity, TimePoint now);
  void store_locked(PreparedEntry&& entry);
  // `identity` views entry.identity.
  EntryNode& link_locked(const IdentityView& identity, PreparedEntry&& entry);
  // Stores `entry` over the stored `node` of the same identity in place, keeping its block
  // and its places in the full_key, tag and namespace indexes, when the entry has the same
  // tags and a stored value of the same length; false, changing nothing, otherwise.
  bool overwrite_locked(EntryNode& node, PreparedEntry& entry);
  void add_to_index(NodeIndex& index, std::string_view name, EntryNode& node);
  void remove_from_index(NodeIndex& index, std::string_view name, EntryNode& node);
  // Unlinks the node from everything that refers to it, then destroys it. Tolerates a node
  // that was only partly linked.
  void remove_locked(EntryNode& node);
  bool erase_locked(const IdentityView& identity, TimePoint now);
  std::size_t erase_indexed_locked(NodeIndex& index, const std::string& name, TimePoint now);

  // Evicts until the shard is within its bounds, never `spare` unless it cannot fit at all.
  void enforce_bounds_locked(EntryNode* spare, TimePoint now);
  // Removes `victim` to make room, counting and collecting it as an eviction unless expired.
  void evict_locked(EntryNode& victim, TimePoint now);
  EntryNode* next_to_evict_locked(const EntryNode* spare, TimePoint now) const;
  bool over_memory_locked() const;
  // Shrinks hash bucket arrays to what the current entries need.
  void compact_locked();
  std::size_t footprint_locked() const;

  mutable std::mutex mutex_;
  EventSink& events_;
  const bool collect_evicted_keys_;  // events_ has a listener
  EvictionReport pending_evictions_;  // made under the lock, not yet reported
  // Declared before the containers that allocate through it: it must outlive them.
  std::size_t allocated_bytes_ = 0;
  std::size_t string_bytes_ = 0;
  const ShardBounds bounds_;

  EntryTable entries_;
  NodeIndex tag_index_;
  NodeIndex namespace_index_;
  CreatedIndex created_index_;
  ExpiryIndex expiry_index_;
  FullKeyIndex full_key_index_;
  LruOrder lru_order_;
  LfuOrder lfu_order_;
  EvictionOrder* order_;

  std::uint64_t use_sequence_ = 0;  // source of EntryNode::last_use
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
  std::uint64_t pattern_tests_ = 0;
  std::uint64_t evictions_ = 0;
};

}  // namespace portico::cache::internal
