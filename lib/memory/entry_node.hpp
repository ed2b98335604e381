// EntryNode: one stored entry, kept by a shard's EntryTable.
//
// Nodes never move while stored (the table gives each entry a heap block of its own, which
// also holds the bytes of its identity and value), so the shard's indexes and eviction order
// refer to them by pointer and unlink them in O(1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <portico/cache/time.hpp>

#include "footprint.hpp"
#include "identity.hpp"
#include "stored_value.hpp"

namespace portico::cache::internal {

struct EntryNode;
class FrequencyBucket;

// created_at of every stored entry, for the oldest / newest statistics. A multiset rather
// than insertion order because a clock may be set backwards.
using CreatedIndex = std::multiset<TimePoint, std::less<>, CountingAllocator<TimePoint>>;
// Entries with a TTL, soonest expiry first, so cleanup touches only what has expired.
using ExpiryIndex = std::multimap<TimePoint, EntryNode*, std::less<>,
                                  CountingAllocator<std::pair<const TimePoint, EntryNode*>>>;

struct EntryNode {
  // The fields a get reads and writes come first, so that it touches the node's first cache
  // lines only.

  // The identity this node is stored under, viewing bytes of the node's block.
  IdentityView identity{};
  std::optional<TimePoint> expires_at{};
  // The value as stored, also in the node's block: its msgpack bytes, or a zstd frame of them
  // when compression made it smaller; decompressed_size is set for a frame.
  std::string_view value_bytes{};
  std::optional<std::size_t> decompressed_size{};
  TimePoint created_at{};
  std::uint64_t hit_count = 0;
  TimePoint last_accessed{};
  // Shard-local sequence number of the last store or hit. Unlike last_accessed it is strictly
  // increasing, so it keeps the recency order exact when the eviction policy is switched.
  std::uint64_t last_use = 0;
  std::vector<std::string> tags{};

  // Links of the active eviction order. LRU uses prev/next; LFU also records the frequency
  // bucket whose list prev/next belong to.
  EntryNode* order_prev = nullptr;
  EntryNode* order_next = nullptr;
  FrequencyBucket* bucket = nullptr;
  bool in_eviction_order = false;
  // Whether the shard's FullKeyIndex holds the node (it keeps no position: slots move).
  bool in_full_key_index = false;

  // Heap bytes of this entry's tags, as charged to the shard.
  std::size_t string_bytes = 0;
  // Positions in the shard's ordered indexes; empty until linked.
  std::optional<CreatedIndex::iterator> created_position{};
  std::optional<ExpiryIndex::iterator> expiry_position{};

  bool is_expired(TimePoint now) const { return expires_at && now > *expires_at; }
};

}  // namespace portico::cache::internal
