// The on-disk encoding of the RocksDB adapter. Every byte layout lives here.
//
// Entry id (key of the `data` family): full_key, then the namespace length as 4 big-endian
// bytes (0 = no namespace; a namespace is never empty). Ids therefore sort by full_key, so a
// pattern with a literal prefix scans only that prefix, while (ns, key) pairs with equal
// full_key stay distinct: the suffix tells where the namespace ends.
//
// Entry record (value in `data`): a msgpack header array
//   [format, created_ns, expires_ns | nil, hit_count, last_accessed_ns, [tags...]]
// followed directly by the value's own msgpack document, so a value is stored and returned
// without re-encoding and the header decodes without touching the value.
//
// Index families, each keyed so a prefix scan finds one group:
//   tags:       varint32(len) tag  id  -> index value
//   namespaces: varint32(len) ns   id  -> index value
//   created:    created_ns(8)      id  -> index value   (oldest/newest entry)
//   expiry:     expires_ns(8) created_ns(8) id -> ""    (the cleanup ledger)
// An index value is created_ns(8) [expires_ns(8)]: the creation time names the generation of
// the entry the index entry belongs to, so an index entry left by an entry that the compaction
// filter dropped, then re-created, is recognised as stale; the expiry lets the filter drop
// index entries on its own.
// Times are nanoseconds since the epoch, stored big-endian with the sign bit flipped so they
// sort in time order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <portico/cache/key.hpp>
#include <portico/cache/time.hpp>

namespace portico::cache::internal {

// The on-disk format of a cache directory, stored in `meta`. Version 2 added cleanup by
// settlement (see Store): a record with an expiry but no ledger entry is no longer counted.
// Version 3 added tag epochs (see TagEpochs): a record an epoch erased is no longer an entry.
// Older directories hold neither and are upgraded in place on a writable open.
inline constexpr std::uint32_t kFormatVersion = 3;
inline constexpr std::uint32_t kOldestReadableFormatVersion = 1;
// The layout of one entry record (its first header field).
inline constexpr std::uint32_t kRecordFormat = 1;

std::int64_t to_nanos(TimePoint t);
TimePoint from_nanos(std::int64_t nanos);

void put_time(std::string& out, std::int64_t nanos);
std::int64_t read_time(std::string_view bytes);  // REQUIRES: bytes.size() >= 8

// --- entry ids -------------------------------------------------------------------------------
std::string encode_id(const CacheKey& key);
// The same into `out` (replacing its contents), reusing its capacity.
void encode_id_into(const CacheKey& key, std::string& out);
// ns and key of an id; the tags stay empty. nullopt if `id` is not a valid id.
std::optional<CacheKey> decode_id(std::string_view id);
// The full_key part of an id (no validation beyond the length).
std::string_view id_full_key(std::string_view id);

// --- entry records ---------------------------------------------------------------------------
struct RecordHeader {
  std::int64_t created_ns = 0;
  std::optional<std::int64_t> expires_ns{};
  std::uint64_t hit_count = 0;
  std::int64_t last_accessed_ns = 0;
  std::vector<std::string> tags{};
};

std::string encode_record(const RecordHeader& header, std::string_view value_msgpack);

struct DecodedRecord {
  RecordHeader header;
  std::string_view value_msgpack;  // points into the decoded bytes
};
// Throws CorruptionError when `bytes` is not a record.
DecodedRecord decode_record(std::string_view bytes);
// The same, or nullopt when `bytes` is damaged: for writers, which treat a damaged record as
// absent and uncounted so that it can always be overwritten or erased.
std::optional<DecodedRecord> decode_record_if_intact(std::string_view bytes);
// Only the expiry, for the compaction filter: false when undecodable.
bool decode_record_expiry(std::string_view bytes, std::optional<std::int64_t>& expires_ns);

// --- index families --------------------------------------------------------------------------
std::string group_prefix(std::string_view group);  // varint32(len) + group: tags, namespaces
std::string group_index_key(std::string_view group, std::string_view id);
// The id at the end of a tags/namespaces key; empty if malformed.
std::string_view group_index_id(std::string_view index_key);
// The group (tag or namespace) of a tags/namespaces key; empty if malformed.
std::string_view group_index_group(std::string_view index_key);

std::string created_index_key(std::int64_t created_ns, std::string_view id);
std::string expiry_index_key(std::int64_t expires_ns, std::int64_t created_ns,
                             std::string_view id);
struct ExpiryIndexEntry {
  std::int64_t expires_ns = 0;
  std::int64_t created_ns = 0;
  std::string_view id;
};
std::optional<ExpiryIndexEntry> decode_expiry_index_key(std::string_view key);
std::string_view created_index_id(std::string_view key);  // empty if malformed

std::string encode_index_value(std::int64_t created_ns, std::optional<std::int64_t> expires_ns);
struct IndexValue {
  std::int64_t created_ns = 0;
  std::optional<std::int64_t> expires_ns{};
};
std::optional<IndexValue> decode_index_value(std::string_view bytes);

// The smallest string greater than every string starting with `prefix`; empty when there is
// none (prefix all 0xff), meaning "no upper bound".
std::string prefix_successor(std::string_view prefix);

}  // namespace portico::cache::internal
