#include "rocksdb/store.hpp"

#include "rocksdb/reads.hpp"

namespace portico::cache::internal {

namespace {

// The id of `key` in a per-thread buffer, valid until the thread's next call: a get computes
// an id on every call, and this keeps that from allocating.
const std::string& scratch_id(const CacheKey& key) {
  thread_local std::string id;
  encode_id_into(key, id);
  return id;
}

}  // namespace

std::optional<CacheEntry> Store::read_hit(const CacheKey& key, std::string_view id,
                                          std::string_view bytes, std::int64_t now) {
  DecodedRecord record = decode_record(bytes);
  if (!visibility_.is_visible(record.header, now)) {
    count_miss();
    return std::nullopt;
  }
  // A read-only instance can never write access data, so it keeps none: its entries show
  // the stored count plus this hit.
  const std::uint64_t pending = db_->mode() == OpenMode::read_write
                                    ? access_.record_hit(id, record.header.created_ns, now)
                                    : 1;
  hits_.fetch_add(1, std::memory_order_relaxed);
  // The entry after this hit: the stored count plus the buffered hits, accessed now.
  CacheEntry entry = to_cache_entry(CacheKey{.key = key.key, .ns = key.ns, .tags = {}},
                                    std::move(record.header), record.value_msgpack);
  entry.hit_count += pending;
  entry.last_accessed = from_nanos(now);
  return entry;
}

std::optional<CacheEntry> Store::get(const CacheKey& key) {
  const std::string& id = scratch_id(key);
  rocksdb::PinnableSlice bytes;
  if (!read_one(*db_, Family::data, id, bytes, "reading an entry")) {
    count_miss();
    return std::nullopt;
  }
  return read_hit(key, id, bytes.ToStringView(), now_ns());
}

std::vector<std::optional<CacheEntry>> Store::get_many(const std::vector<CacheKey>& keys) {
  std::vector<std::string> ids;
  ids.reserve(keys.size());
  for (const CacheKey& key : keys) ids.push_back(encode_id(key));
  const MultiGetResult records = read_many(*db_, Family::data, slices_of(ids));
  const std::int64_t now = now_ns();
  std::vector<std::optional<CacheEntry>> entries;
  entries.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (!records.present(i, "reading entries")) {
      count_miss();
      entries.emplace_back();
      continue;
    }
    entries.push_back(read_hit(keys[i], ids[i], records.value(i), now));
  }
  return entries;
}

bool Store::exists(const CacheKey& key) {
  rocksdb::PinnableSlice bytes;
  if (!read_one(*db_, Family::data, scratch_id(key), bytes, "reading an entry")) return false;
  if (!visibility_.epochs().empty()) {
    const RecordHeader header = decode_record(bytes.ToStringView()).header;
    return visibility_.is_visible(header, now_ns());
  }
  RecordHeader header;  // the expiry alone: no tag epoch can erase it
  if (!decode_record_expiry(bytes.ToStringView(), header.expires_ns)) {
    throw CorruptionError("cache entry record is damaged: bad header");
  }
  return !visibility_.is_expired(header, now_ns());
}

}  // namespace portico::cache::internal
