#include "engine/inspect.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>
#include <rocksdb/iterator.h>

#include <portico/cache/errors.hpp>

#include "core/value_access.hpp"

namespace portico::cache::internal {

namespace {

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

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

// Iterates keys of `family` from bounds.seek up to bounds.upper; visit returns false to stop.
template <class Visit>
void iterate(Database& db, Family family, const ScanBounds& bounds, Visit&& visit) {
  rocksdb::ReadOptions read;
  rocksdb::Slice upper(bounds.upper);
  if (!bounds.upper.empty()) read.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(read, db.family(family)));
  for (it->Seek(bounds.seek); it->Valid(); it->Next()) {
    if (!visit(it->key().ToStringView(), it->value().ToStringView())) return;
  }
  check(it->status(), fmt::format("scanning {}", family_name(family)));
}

// Reads the record of `id` into `bytes`; false when there is none.
bool read_record(Database& db, std::string_view id, rocksdb::PinnableSlice& bytes) {
  const rocksdb::Status status =
      db.db().Get(rocksdb::ReadOptions(), db.family(Family::data), slice(id), &bytes);
  if (status.IsNotFound()) return false;
  check(status, "reading an entry");
  return true;
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

// Recognises the records the adapter no longer shows: those a tag epoch erased, and those
// cleanup_expired() settled (each expires below the cleanup watermark and has lost its ledger
// entry; only records below the watermark cost a lookup).
class HiddenRecords {
 public:
  explicit HiddenRecords(Database& db)
      : db_(db), watermark_(db.read_optional_counter(kMetaCleanupWatermark)) {
    epochs_.load(db);
  }

  bool contains(const StoredEntry& entry) const {
    if (epochs_.erases(entry.header)) return true;
    const std::optional<std::int64_t>& expires = entry.header.expires_ns;
    if (!watermark_ || !expires || *expires >= *watermark_) return false;
    return !ledger_holds(db_, entry.id, entry.header);
  }

 private:
  Database& db_;
  std::optional<std::int64_t> watermark_;
  TagEpochs epochs_;
};

bool has_tag(const StoredEntry& entry, std::string_view tag) {
  return std::find(entry.header.tags.begin(), entry.header.tags.end(), tag) !=
         entry.header.tags.end();
}

}  // namespace

CacheEntry StoredEntry::to_entry() const {
  CacheEntry entry;
  entry.key = key;
  entry.value = detail::ValueAccess::adopt(value_msgpack);
  entry.created_at = from_nanos(header.created_ns);
  if (header.expires_ns) entry.expires_at = from_nanos(*header.expires_ns);
  entry.hit_count = header.hit_count;
  entry.last_accessed = from_nanos(header.last_accessed_ns);
  return entry;
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
  const HiddenRecords hidden(db);
  iterate(db, Family::data, bounds_of({}, scan), [&](std::string_view id, std::string_view value) {
    if (!passes_cursor(id, scan)) return true;
    StoredEntry entry = decode_stored_entry(id, value);
    if (hidden.contains(entry)) return true;
    return visit(std::move(entry));
  });
}

void scan_tagged_entries(Database& db, std::string_view tag, const EntryScan& scan,
                         const EntryVisitor& visit) {
  const std::string base = group_prefix(tag);
  const HiddenRecords hidden(db);
  iterate(db, Family::tags, bounds_of(base, scan),
          [&](std::string_view index_key, std::string_view index_value) {
            const std::string_view id = index_key.substr(base.size());
            const auto index = decode_index_value(index_value);
            if (!index || id.empty()) throw CorruptionError("damaged tags index entry");
            if (!passes_cursor(id, scan)) return true;
            std::optional<StoredEntry> entry = live_record(db, id, index->created_ns);
            if (!entry || !has_tag(*entry, tag)) return true;  // stale
            if (hidden.contains(*entry)) return true;
            return visit(std::move(*entry));
          });
}

std::optional<StoredEntry> read_entry(Database& db, const CacheKey& key) {
  const std::string id = encode_id(key);
  rocksdb::PinnableSlice bytes;
  if (!read_record(db, id, bytes)) return std::nullopt;
  StoredEntry entry = decode_stored_entry(id, bytes.ToStringView());
  if (HiddenRecords(db).contains(entry)) return std::nullopt;
  return entry;
}

std::vector<CacheKey> keys_with_full_key(Database& db, std::string_view full_key) {
  std::vector<CacheKey> keys;
  const HiddenRecords hidden(db);
  ScanBounds bounds{.seek = std::string(full_key), .upper = prefix_successor(full_key)};
  iterate(db, Family::data, bounds, [&](std::string_view id, std::string_view bytes) {
    if (id_full_key(id) != full_key) return true;
    StoredEntry entry = decode_stored_entry(id, bytes);
    if (!hidden.contains(entry)) keys.push_back(std::move(entry.key));
    return true;
  });
  return keys;
}

std::vector<GroupCount> count_groups(Database& db, Family family, std::int64_t now_ns) {
  if (family != Family::tags && family != Family::namespaces) {
    throw std::invalid_argument("count_groups: family must be tags or namespaces");
  }
  std::map<std::string, GroupCount, std::less<>> counts;
  const HiddenRecords hidden(db);
  iterate(db, family, ScanBounds{}, [&](std::string_view index_key, std::string_view value) {
    const std::string_view group = group_index_group(index_key);
    const std::string_view id = group_index_id(index_key);
    const auto index = decode_index_value(value);
    if (id.empty() || !index) {
      throw CorruptionError(fmt::format("damaged {} index entry", family_name(family)));
    }
    const std::optional<StoredEntry> entry = live_record(db, id, index->created_ns);
    if (!entry) return true;
    const bool belongs = family == Family::tags ? has_tag(*entry, group) : entry->key.ns == group;
    if (!belongs || hidden.contains(*entry)) return true;
    auto found = counts.find(group);
    if (found == counts.end()) {
      found = counts.emplace(std::string(group), GroupCount{.name = std::string(group)}).first;
    }
    ++(entry->expired(now_ns) ? found->second.expired : found->second.live);
    return true;
  });
  std::vector<GroupCount> out;
  out.reserve(counts.size());
  for (auto& [name, count] : counts) out.push_back(std::move(count));
  return out;
}

bool ledger_holds(Database& db, std::string_view id, const RecordHeader& header) {
  std::string ignored;
  const rocksdb::Status status =
      db.db().Get(rocksdb::ReadOptions(), db.family(Family::expiry),
                  expiry_index_key(header.expires_ns.value(), header.created_ns, id), &ignored);
  if (status.IsNotFound()) return false;
  check(status, "reading the expiry ledger");
  return true;
}

std::optional<TimePoint> edge_created_at(Database& db, bool newest, const TagEpochs& epochs) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.db().NewIterator(rocksdb::ReadOptions(), db.family(Family::created)));
  const std::optional<std::int64_t> watermark = db.read_optional_counter(kMetaCleanupWatermark);
  newest ? it->SeekToLast() : it->SeekToFirst();
  // Index entries whose entry was dropped by the compaction filter or replaced are skipped.
  for (; it->Valid(); newest ? it->Prev() : it->Next()) {
    const std::string_view id = created_index_id(it->key().ToStringView());
    const auto index = decode_index_value(it->value().ToStringView());
    if (id.empty() || !index) throw CorruptionError("damaged created index entry");
    if (watermark && index->expires_ns && *index->expires_ns < *watermark) continue;
    rocksdb::PinnableSlice bytes;
    if (!read_record(db, id, bytes)) continue;
    // The header alone tells a live entry from a replaced one; the value is not needed.
    const RecordHeader header = decode_record(bytes.ToStringView()).header;
    if (header.created_ns == index->created_ns && !epochs.erases(header)) {
      return from_nanos(index->created_ns);
    }
  }
  check(it->status(), "scanning the created index");
  return std::nullopt;
}

std::int64_t newest_created_ns(Database& db) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.db().NewIterator(rocksdb::ReadOptions(), db.family(Family::created)));
  it->SeekToLast();
  if (!it->Valid()) {
    check(it->status(), "scanning the created index");
    return std::numeric_limits<std::int64_t>::min();
  }
  if (it->key().size() < 8) throw CorruptionError("damaged created index entry");
  return read_time(it->key().ToStringView());
}

std::uint64_t count_keys(Database& db, Family family) {
  std::uint64_t count = 0;
  iterate(db, family, ScanBounds{}, [&](std::string_view, std::string_view) {
    ++count;
    return true;
  });
  return count;
}

std::uint64_t estimate_keys(Database& db, Family family) {
  std::uint64_t value = 0;
  if (!db.db().GetIntProperty(db.family(family), "rocksdb.estimate-num-keys", &value)) return 0;
  return value;
}

}  // namespace portico::cache::internal
