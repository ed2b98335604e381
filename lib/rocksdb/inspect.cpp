#include "rocksdb/inspect.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include <portico/cache/errors.hpp>

#include "rocksdb/reads.hpp"
#include "rocksdb/visibility.hpp"

namespace portico::cache::internal {

namespace {

// Where a scan of keys `base + id` starts and ends, for ids within `scan`.
struct ScanBounds {
  std::string seek;
  std::string upper;  // empty: no upper bound
};

ScanBounds bounds_of(std::string_view base, const EntryScan& scan) {
  ScanBounds bounds;
  bounds.seek.assign(base).append(scan.prefix);
  bounds.upper = prefix_successor(bounds.seek);
  // An id starting with `after` may still hold a smaller full_key (a prefix of `after`); those
  // are skipped by passes_cursor. No id with a larger full_key sorts before `after`.
  if (scan.after && *scan.after > scan.prefix) {
    bounds.seek.assign(base).append(*scan.after);
  }
  return bounds;
}

bool passes_cursor(std::string_view id, const EntryScan& scan) {
  return !scan.after || id_full_key(id) > std::string_view(*scan.after);
}

// Reads the record of `id` into `bytes`; false when there is none.
bool read_record(Database& db, std::string_view id, rocksdb::PinnableSlice& bytes) {
  return read_one(db, Family::data, id, bytes, "reading an entry");
}

// The stored record of `id`, when it is the generation `created_ns`.
std::optional<StoredEntry> live_record(Database& db, std::string_view id,
                                       std::int64_t created_ns) {
  rocksdb::PinnableSlice bytes;
  if (!read_record(db, id, bytes)) return std::nullopt;
  StoredEntry entry = decode_stored_entry(id, bytes.ToStringView());
  if (entry.header.created_ns != created_ns) return std::nullopt;
  return entry;
}

// The rules as stored now: tools judge records by the epochs and watermark on disk.
class StoredVisibility : public Visibility {
 public:
  explicit StoredVisibility(Database& db) : Visibility(db) { load(); }
  bool hides(const StoredEntry& entry) const { return is_hidden(entry.id, entry.header); }
};

bool has_tag(const StoredEntry& entry, std::string_view tag) {
  return std::find(entry.header.tags.begin(), entry.header.tags.end(), tag) !=
         entry.header.tags.end();
}

}  // namespace

CacheEntry StoredEntry::to_entry() const {
  return to_cache_entry(key, header, value_msgpack);
}

StoredEntry decode_stored_entry(std::string_view id, std::string_view record) {
  std::optional<CacheKey> key = decode_id(id);
  if (!key) throw CorruptionError("cache entry id is damaged");
  DecodedRecord decoded = decode_record(record);
  StoredEntry entry;
  entry.id.assign(id);
  entry.key = std::move(*key);
  entry.key.tags = decoded.header.tags;
  entry.value_msgpack.assign(decoded.value_msgpack);
  entry.header = std::move(decoded.header);
  return entry;
}

void scan_entries(Database& db, const EntryScan& scan, const EntryVisitor& visit) {
  const StoredVisibility visibility(db);
  const ScanBounds bounds = bounds_of({}, scan);
  scan_range(db, Family::data, bounds.seek, bounds.upper,
             [&](std::string_view id, std::string_view value) {
               if (!passes_cursor(id, scan)) return true;
               StoredEntry entry = decode_stored_entry(id, value);
               if (visibility.hides(entry)) return true;
               return visit(std::move(entry));
             });
}

void scan_tagged_entries(Database& db, std::string_view tag, const EntryScan& scan,
                         const EntryVisitor& visit) {
  const std::string base = group_prefix(tag);
  const StoredVisibility visibility(db);
  const ScanBounds bounds = bounds_of(base, scan);
  scan_range(db, Family::tags, bounds.seek, bounds.upper,
             [&](std::string_view index_key, std::string_view index_value) {
               const std::string_view id = index_key.substr(base.size());
               const auto index = decode_index_value(index_value);
               if (!index || id.empty()) throw CorruptionError("damaged tags index entry");
               if (!passes_cursor(id, scan)) return true;
               std::optional<StoredEntry> entry = live_record(db, id, index->created_ns);
               if (!entry || !has_tag(*entry, tag)) return true;  // stale
               if (visibility.hides(*entry)) return true;
               return visit(std::move(*entry));
             });
}

std::optional<StoredEntry> read_entry(Database& db, const CacheKey& key) {
  const std::string id = encode_id(key);
  rocksdb::PinnableSlice bytes;
  if (!read_record(db, id, bytes)) return std::nullopt;
  StoredEntry entry = decode_stored_entry(id, bytes.ToStringView());
  if (StoredVisibility(db).hides(entry)) return std::nullopt;
  return entry;
}

std::vector<CacheKey> keys_with_full_key(Database& db, std::string_view full_key) {
  std::vector<CacheKey> keys;
  const StoredVisibility visibility(db);
  scan_prefix(db, Family::data, full_key, [&](std::string_view id, std::string_view bytes) {
    if (id_full_key(id) != full_key) return;
    StoredEntry entry = decode_stored_entry(id, bytes);
    if (!visibility.hides(entry)) keys.push_back(std::move(entry.key));
  });
  return keys;
}

std::vector<GroupCount> count_groups(Database& db, Family family, std::int64_t now_ns) {
  if (family != Family::tags && family != Family::namespaces) {
    throw std::invalid_argument("count_groups: family must be tags or namespaces");
  }
  std::map<std::string, GroupCount, std::less<>> counts;
  const StoredVisibility visibility(db);
  scan_range(db, family, {}, {}, [&](std::string_view index_key, std::string_view value) {
    const std::string_view group = group_index_group(index_key);
    const std::string_view id = group_index_id(index_key);
    const auto index = decode_index_value(value);
    if (id.empty() || !index) {
      throw CorruptionError(fmt::format("damaged {} index entry", family_name(family)));
    }
    const std::optional<StoredEntry> entry = live_record(db, id, index->created_ns);
    if (!entry) return;
    const bool belongs = family == Family::tags ? has_tag(*entry, group) : entry->key.ns == group;
    if (!belongs || visibility.hides(*entry)) return;
    auto found = counts.find(group);
    if (found == counts.end()) {
      found = counts.emplace(std::string(group), GroupCount{.name = std::string(group)}).first;
    }
    ++(entry->expired(now_ns) ? found->second.expired : found->second.live);
  });
  std::vector<GroupCount> out;
  out.reserve(counts.size());
  for (auto& [name, count] : counts) out.push_back(std::move(count));
  return out;
}

std::uint64_t count_keys(Database& db, Family family) {
  std::uint64_t count = 0;
  scan_range(db, family, {}, {}, [&](std::string_view, std::string_view) { ++count; });
  return count;
}

std::uint64_t estimate_keys(Database& db, Family family) {
  std::uint64_t value = 0;
  if (!db.db().GetIntProperty(db.family(family), "rocksdb.estimate-num-keys", &value)) return 0;
  return value;
}

}  // namespace portico::cache::internal
