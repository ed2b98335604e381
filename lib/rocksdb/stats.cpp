#include "rocksdb/stats.hpp"

#include <algorithm>
#include <limits>
#include <memory>

#include <rocksdb/iterator.h>

#include "rocksdb/reads.hpp"

namespace portico::cache::internal {

namespace {

std::uint64_t non_negative(std::int64_t value) {
  return static_cast<std::uint64_t>(std::max<std::int64_t>(0, value));
}

}  // namespace

StatsCounters read_stored_counters(Database& db) {
  return StatsCounters{.entries = db.read_counter(kMetaEntryCount),
                       .hits = non_negative(db.read_counter(kMetaHits)),
                       .misses = non_negative(db.read_counter(kMetaMisses)),
                       .evictions = non_negative(db.read_counter(kMetaEvictions))};
}

CacheStats assemble_stats(Database& db, const Visibility& visibility,
                          const StatsCounters& counters) {
  CacheStats stats;
  stats.total_entries = non_negative(counters.entries);
  stats.total_hits = counters.hits;
  stats.total_misses = counters.misses;
  stats.hit_rate = hit_rate_of(counters.hits, counters.misses);
  stats.oldest_entry = edge_created_at(db, false, visibility);
  stats.newest_entry = edge_created_at(db, true, visibility);
  stats.evictions = counters.evictions;
  return stats;
}

std::uint64_t memory_usage(Database& db) {
  std::uint64_t memory = db.block_cache_usage();
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    for (const char* property :
         {"rocksdb.cur-size-all-mem-tables", "rocksdb.estimate-table-readers-mem"}) {
      std::uint64_t value = 0;
      if (db.db().GetIntProperty(db.family(static_cast<Family>(i)), property, &value)) {
        memory += value;
      }
    }
  }
  return memory;
}

std::optional<TimePoint> edge_created_at(Database& db, bool newest, const Visibility& visibility) {
  std::unique_ptr<rocksdb::Iterator> it(
      db.db().NewIterator(rocksdb::ReadOptions(), db.family(Family::created)));
  newest ? it->SeekToLast() : it->SeekToFirst();
  for (; it->Valid(); newest ? it->Prev() : it->Next()) {
    const std::string_view id = created_index_id(it->key().ToStringView());
    const auto index = decode_index_value(it->value().ToStringView());
    if (id.empty() || !index) throw CorruptionError("damaged created index entry");
    // Settled by cleanup_expired(): known from the index value alone.
    if (index->expires_ns && visibility.below_watermark(*index->expires_ns)) continue;
    rocksdb::PinnableSlice bytes;
    if (!read_one(db, Family::data, id, bytes, "reading an entry")) continue;  // dropped
    // The header alone tells a live entry from a replaced one; the value is not needed.
    const RecordHeader header = decode_record(bytes.ToStringView()).header;
    if (header.created_ns == index->created_ns && !visibility.is_erased(header)) {
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

}  // namespace portico::cache::internal
