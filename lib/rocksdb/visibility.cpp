#include "rocksdb/visibility.hpp"

#include <string>

#include "core/value_access.hpp"

namespace portico::cache::internal {

void Visibility::load(const rocksdb::ReadOptions& read) {
  epochs_.load(db_, read);
  const std::optional<std::int64_t> watermark =
      db_.read_optional_counter(kMetaCleanupWatermark, read);
  watermark_.store(watermark.value_or(std::numeric_limits<std::int64_t>::min()),
                   std::memory_order_relaxed);
}

std::optional<std::int64_t> Visibility::watermark() const {
  const std::int64_t watermark = watermark_.load(std::memory_order_relaxed);
  if (watermark == std::numeric_limits<std::int64_t>::min()) return std::nullopt;
  return watermark;
}

void Visibility::raise_watermark(std::int64_t watermark) {
  std::int64_t current = watermark_.load(std::memory_order_relaxed);
  while (watermark > current &&
         !watermark_.compare_exchange_weak(current, watermark, std::memory_order_relaxed)) {
  }
}

void Visibility::reset_watermark() {
  watermark_.store(std::numeric_limits<std::int64_t>::min(), std::memory_order_relaxed);
}

bool Visibility::is_counted(std::string_view id, const RecordHeader& header,
                            std::int64_t now_ns) const {
  const bool erased = is_erased(header);
  if (!header.expires_ns) return !erased;
  if (!erased && !is_expired(header, now_ns)) return true;
  return ledger_holds(id, header);
}

bool Visibility::is_hidden(std::string_view id, const RecordHeader& header) const {
  if (is_erased(header)) return true;
  if (!header.expires_ns || !below_watermark(*header.expires_ns)) return false;
  return !ledger_holds(id, header);
}

bool Visibility::ledger_holds(std::string_view id, const RecordHeader& header) const {
  std::string ignored;
  const rocksdb::Status status =
      db_.db().Get(rocksdb::ReadOptions(), db_.family(Family::expiry),
                   expiry_index_key(header.expires_ns.value(), header.created_ns, id), &ignored);
  if (status.IsNotFound()) return false;
  check(status, "reading the expiry ledger");
  return true;
}

CacheEntry to_cache_entry(CacheKey key, RecordHeader header, std::string_view value_msgpack) {
  CacheEntry entry;
  entry.key = std::move(key);
  entry.key.tags = std::move(header.tags);
  entry.value = detail::ValueAccess::adopt(value_msgpack);
  entry.created_at = from_nanos(header.created_ns);
  if (header.expires_ns) entry.expires_at = from_nanos(*header.expires_ns);
  entry.hit_count = header.hit_count;
  entry.last_accessed = from_nanos(header.last_accessed_ns);
  return entry;
}

}  // namespace portico::cache::internal
