#include "rocksdb/store.hpp"

#include <algorithm>

#include <fmt/format.h>
#include <fmt/std.h>

#include "rocksdb/counter_merge.hpp"
#include "rocksdb/stats.hpp"

namespace portico::cache::internal {

namespace {

const std::string kEntryCountKey(kMetaEntryCount);

}  // namespace

Store::Store(std::unique_ptr<Database> database, RocksDBOptions options)
    : db_(std::move(database)), options_(std::move(options)), visibility_(*db_) {
  hits_flushed_ = static_cast<std::uint64_t>(db_->read_counter(kMetaHits));
  misses_flushed_ = static_cast<std::uint64_t>(db_->read_counter(kMetaMisses));
  hits_ = hits_flushed_;
  misses_ = misses_flushed_;
  failures_flushed_ = static_cast<std::uint64_t>(db_->read_counter(kMetaMaintenanceFailures));
  maintenance_failures_ = failures_flushed_;
  entry_count_ = db_->read_counter(kMetaEntryCount);
  visibility_.load();
  newest_generation_ = std::max(newest_created_ns(*db_), visibility_.epochs().highest());
}

std::int64_t Store::next_generation(std::int64_t now) {
  // Above every epoch, so no earlier erase_by_tags erases the new record. The caller holds the
  // entry's stripe, so an erase_by_tags (which holds them all) is wholly before or after.
  const std::int64_t generation = std::max(now, visibility_.epochs().highest() + 1);
  std::int64_t newest = newest_generation_.load(std::memory_order_relaxed);
  while (generation > newest &&
         !newest_generation_.compare_exchange_weak(newest, generation, std::memory_order_relaxed)) {
  }
  return generation;
}

std::int64_t Store::now_ns() const { return to_nanos(options_.clock->now()); }

void Store::require_writable() const {
  if (db_->mode() != OpenMode::read_write) {
    throw CacheError(fmt::format("cache {} is open read-only", db_->dir()));
  }
}

void Store::write(Batch& batch, bool durable) {
  rocksdb::WriteOptions options;
  options.sync = durable && options_.sync_writes;
  check(db_->db().Write(options, &batch.raw()), "writing to the cache");
}

void Store::write_counted(Batch& batch, std::int64_t count_delta) {
  if (count_delta != 0) {
    batch.merge(db_->family(Family::meta), kEntryCountKey, encode_counter(count_delta));
  }
  write(batch, true);
  entry_count_.fetch_add(count_delta, std::memory_order_relaxed);
}

// --- index entries ---------------------------------------------------------------------------

void Store::add_index_puts(Batch& batch, std::string_view id, const CacheKey& key,
                           const RecordHeader& header) {
  const std::string index_value = encode_index_value(header.created_ns, header.expires_ns);
  for (const std::string& tag : header.tags) {
    batch.put(db_->family(Family::tags), group_index_key(tag, id), index_value);
  }
  if (key.ns) batch.put(db_->family(Family::namespaces), group_index_key(*key.ns, id), index_value);
  batch.put(db_->family(Family::created), created_index_key(header.created_ns, id), index_value);
  if (header.expires_ns && !visibility_.below_watermark(*header.expires_ns)) {
    batch.put(db_->family(Family::expiry),
              expiry_index_key(*header.expires_ns, header.created_ns, id), std::string_view());
  }
}

void Store::add_index_deletes(Batch& batch, std::string_view id,
                              const CacheKey& key, const RecordHeader& header) {
  for (const std::string& tag : header.tags) {
    batch.del(db_->family(Family::tags), group_index_key(tag, id));
  }
  if (key.ns) batch.del(db_->family(Family::namespaces), group_index_key(*key.ns, id));
  batch.del(db_->family(Family::created), created_index_key(header.created_ns, id));
  if (header.expires_ns) {
    batch.del(db_->family(Family::expiry),
                 expiry_index_key(*header.expires_ns, header.created_ns, id));
  }
}

bool Store::indexes_under(const RecordHeader& header, Family family, std::string_view index_key) {
  // An id names one namespace, so the namespaces index key of an id is always its record's.
  if (family != Family::tags) return true;
  const std::string_view tag = group_index_group(index_key);
  return std::find(header.tags.begin(), header.tags.end(), tag) != header.tags.end();
}

}  // namespace portico::cache::internal
