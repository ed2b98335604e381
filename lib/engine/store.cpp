#include "engine/store.hpp"

#include <algorithm>
#include <limits>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>
#include <fmt/std.h>
#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include "core/expiry.hpp"
#include "core/value_access.hpp"
#include "engine/counter_merge.hpp"
#include "engine/encoding.hpp"
#include "engine/inspect.hpp"

namespace portico::cache::internal {

namespace {

// Entries rewritten per batch by the bulk operations: bounds lock hold times and batch sizes.
constexpr std::size_t kChunk = 512;

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

// The id of `key` in a per-thread buffer, valid until the thread's next call: a get computes
// an id on every call, and this keeps that from allocating.
const std::string& scratch_id(const CacheKey& key) {
  thread_local std::string id;
  encode_id_into(key, id);
  return id;
}

const std::string kEntryCountKey(kMetaEntryCount);
const std::string kCleanupWatermarkKey(kMetaCleanupWatermark);

// Ledger entries settled per batch by cleanup_expired(), which stops writers meanwhile.
constexpr std::size_t kSettleSlice = 8192;

// Iterates the keys of one family that start with `prefix`.
template <class Visit>
void scan_prefix(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string_view prefix,
                 Visit&& visit) {
  rocksdb::ReadOptions read;
  const std::string upper = prefix_successor(prefix);
  rocksdb::Slice upper_slice(upper);
  if (!upper.empty()) read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(read, family));
  for (it->Seek(slice(prefix)); it->Valid(); it->Next()) {
    visit(it->key().ToStringView(), it->value().ToStringView());
  }
  check(it->status(), fmt::format("scanning {}", family->GetName()));
}

}  // namespace

Store::Store(std::unique_ptr<Database> database, RocksDBOptions options)
    : db_(std::move(database)), options_(std::move(options)) {
  hits_flushed_ = static_cast<std::uint64_t>(db_->read_counter(kMetaHits));
  misses_flushed_ = static_cast<std::uint64_t>(db_->read_counter(kMetaMisses));
  hits_ = hits_flushed_;
  misses_ = misses_flushed_;
  entry_count_ = db_->read_counter(kMetaEntryCount);
  cleanup_watermark_ = db_->read_optional_counter(kMetaCleanupWatermark)
                           .value_or(std::numeric_limits<std::int64_t>::min());
  epochs_.load(*db_);
  newest_generation_ = std::max(newest_created_ns(*db_), epochs_.highest());
}

std::int64_t Store::next_generation(std::int64_t now) {
  // Above every epoch, so no earlier erase_by_tags erases the new record. The caller holds the
  // entry's stripe, so an erase_by_tags (which holds them all) is wholly before or after.
  const std::int64_t generation = std::max(now, epochs_.highest() + 1);
  std::int64_t newest = newest_generation_.load(std::memory_order_relaxed);
  while (generation > newest &&
         !newest_generation_.compare_exchange_weak(newest, generation, std::memory_order_relaxed)) {
  }
  return generation;
}

bool Store::below_watermark(std::int64_t expires_ns) const {
  return expires_ns < cleanup_watermark_.load(std::memory_order_relaxed);
}

bool Store::is_expired(const RecordHeader& header, std::int64_t now) const {
  return header.expires_ns && (now > *header.expires_ns || below_watermark(*header.expires_ns));
}

bool Store::is_counted(std::string_view id, const RecordHeader& header, std::int64_t now) {
  const bool erased = epochs_.erases(header);
  if (!header.expires_ns) return !erased;
  if (!erased && !is_expired(header, now)) return true;
  return ledger_holds(*db_, id, header);
}

std::int64_t Store::now_ns() const { return to_nanos(options_.clock->now()); }

void Store::require_writable() const {
  if (db_->mode() != OpenMode::read_write) {
    throw CacheError(fmt::format("cache {} is open read-only", db_->dir()));
  }
}

void Store::write(rocksdb::WriteBatch& batch, bool durable) {
  rocksdb::WriteOptions options;
  options.sync = durable && options_.sync_writes;
  check(db_->db().Write(options, &batch), "writing to the cache");
}

void Store::write_counted(rocksdb::WriteBatch& batch, std::int64_t count_delta) {
  if (count_delta != 0) {
    batch.Merge(db_->family(Family::meta), kEntryCountKey, encode_counter(count_delta));
  }
  write(batch, true);
  entry_count_.fetch_add(count_delta, std::memory_order_relaxed);
}

// --- reads -----------------------------------------------------------------------------------

std::optional<CacheEntry> Store::read_hit(const CacheKey& key, std::string_view id,
                                          std::string_view bytes, std::int64_t now) {
  DecodedRecord record = decode_record(bytes);
  if (is_expired(record.header, now) || epochs_.erases(record.header)) {
    count_miss();
    return std::nullopt;
  }
  // Read-only instances keep their hits in memory: they never write.
  const std::uint64_t pending = access_.record_hit(id, record.header.created_ns, now);
  hits_.fetch_add(1, std::memory_order_relaxed);
  CacheEntry entry;
  entry.key.key = key.key;
  entry.key.ns = key.ns;
  entry.key.tags = std::move(record.header.tags);
  entry.value = detail::ValueAccess::adopt(record.value_msgpack);
  entry.created_at = from_nanos(record.header.created_ns);
  if (record.header.expires_ns) entry.expires_at = from_nanos(*record.header.expires_ns);
  entry.hit_count = record.header.hit_count + pending;
  entry.last_accessed = from_nanos(now);
  return entry;
}

std::optional<CacheEntry> Store::get(const CacheKey& key) {
  const std::string& id = scratch_id(key);
  rocksdb::PinnableSlice bytes;
  const rocksdb::Status status =
      db_->db().Get(rocksdb::ReadOptions(), db_->family(Family::data), id, &bytes);
  if (status.IsNotFound()) {
    count_miss();
    return std::nullopt;
  }
  check(status, "reading an entry");
  return read_hit(key, id, bytes.ToStringView(), now_ns());
}

std::vector<std::optional<CacheEntry>> Store::get_many(const std::vector<CacheKey>& keys) {
  std::vector<std::string> ids;
  ids.reserve(keys.size());
  for (const CacheKey& key : keys) ids.push_back(encode_id(key));
  std::vector<rocksdb::Slice> slices(ids.begin(), ids.end());
  std::vector<rocksdb::PinnableSlice> values(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  db_->db().MultiGet(rocksdb::ReadOptions(), db_->family(Family::data), slices.size(),
                     slices.data(), values.data(), statuses.data());
  const std::int64_t now = now_ns();
  std::vector<std::optional<CacheEntry>> entries;
  entries.reserve(keys.size());
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (statuses[i].IsNotFound()) {
      count_miss();
      entries.emplace_back();
      continue;
    }
    check(statuses[i], "reading entries");
    entries.push_back(read_hit(keys[i], ids[i], values[i].ToStringView(), now));
  }
  return entries;
}

bool Store::exists(const CacheKey& key) {
  rocksdb::PinnableSlice bytes;
  const rocksdb::Status status =
      db_->db().Get(rocksdb::ReadOptions(), db_->family(Family::data), scratch_id(key), &bytes);
  if (status.IsNotFound()) return false;
  check(status, "reading an entry");
  if (!epochs_.empty()) {
    const RecordHeader header = decode_record(bytes.ToStringView()).header;
    return !is_expired(header, now_ns()) && !epochs_.erases(header);
  }
  RecordHeader header;  // the expiry alone: no tag epoch can erase it
  if (!decode_record_expiry(bytes.ToStringView(), header.expires_ns)) {
    throw CorruptionError("cache entry record is damaged: bad header");
  }
  return !is_expired(header, now_ns());
}

// --- writes ----------------------------------------------------------------------------------

void Store::add_index_puts(rocksdb::WriteBatch& batch, std::string_view id, const CacheKey& key,
                           const RecordHeader& header) {
  const std::string index_value = encode_index_value(header.created_ns, header.expires_ns);
  for (const std::string& tag : header.tags) {
    batch.Put(db_->family(Family::tags), group_index_key(tag, id), index_value);
  }
  if (key.ns) batch.Put(db_->family(Family::namespaces), group_index_key(*key.ns, id), index_value);
  batch.Put(db_->family(Family::created), created_index_key(header.created_ns, id), index_value);
  if (header.expires_ns && !below_watermark(*header.expires_ns)) {
    batch.Put(db_->family(Family::expiry),
              expiry_index_key(*header.expires_ns, header.created_ns, id), rocksdb::Slice());
  }
}

void Store::add_index_deletes(rocksdb::WriteBatch& batch, std::string_view id,
                              const CacheKey& key, const RecordHeader& header) {
  for (const std::string& tag : header.tags) {
    batch.Delete(db_->family(Family::tags), group_index_key(tag, id));
  }
  if (key.ns) batch.Delete(db_->family(Family::namespaces), group_index_key(*key.ns, id));
  batch.Delete(db_->family(Family::created), created_index_key(header.created_ns, id));
  if (header.expires_ns) {
    batch.Delete(db_->family(Family::expiry),
                 expiry_index_key(*header.expires_ns, header.created_ns, id));
  }
}

void Store::set_many(std::vector<CacheItem> items) {
  require_writable();
  if (items.empty()) return;
  // The last write of an id wins, as if the items were set one after another.
  std::unordered_map<std::string, std::size_t> last_of;
  for (std::size_t i = 0; i < items.size(); ++i) last_of[encode_id(items[i].key)] = i;
  std::vector<std::string> ids;
  std::vector<const CacheItem*> writes;
  ids.reserve(last_of.size());
  writes.reserve(last_of.size());
  for (auto& [id, index] : last_of) {
    ids.push_back(id);
    writes.push_back(&items[index]);
  }
  const std::int64_t now = now_ns();

  const auto guard = locks_.lock_bulk();
  std::vector<rocksdb::Slice> slices(ids.begin(), ids.end());
  std::vector<rocksdb::PinnableSlice> old(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  db_->db().MultiGet(rocksdb::ReadOptions(), db_->family(Family::data), slices.size(),
                     slices.data(), old.data(), statuses.data());
  // The whole batch is one atomic write: either every item lands or none does.
  rocksdb::WriteBatch batch;
  std::int64_t count_delta = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    add_set(batch, ids[i], writes[i]->key, writes[i]->value, writes[i]->ttl, statuses[i], old[i],
            now, count_delta);
  }
  write_counted(batch, count_delta);
  for (const std::string& id : ids) access_.forget(id);
}

void Store::add_set(rocksdb::WriteBatch& batch, std::string_view id, const CacheKey& key,
                    const Value& value, std::optional<Ttl> ttl, const rocksdb::Status& old_status,
                    const rocksdb::PinnableSlice& old, std::int64_t now, std::int64_t& count_delta) {
  RecordHeader header{.created_ns = next_generation(now),
                      .expires_ns = {},
                      .hit_count = 0,
                      .last_accessed_ns = now,
                      .tags = key.tags};
  if (const auto expiry = detail::expiry_after(from_nanos(now), ttl)) {
    header.expires_ns = to_nanos(*expiry);
  }
  // An entry expiring below the cleanup watermark (the clock went back since a cleanup) is
  // born settled: no ledger entry and not counted, as if a cleanup had already passed it.
  if (!header.expires_ns || !below_watermark(*header.expires_ns)) ++count_delta;
  // Deletes of the old indexes go first: within a batch the later write of a key wins.
  if (old_status.ok()) {
    const RecordHeader old_header = decode_record(old.ToStringView()).header;
    add_index_deletes(batch, id, key, old_header);
    if (is_counted(id, old_header, now)) --count_delta;
  } else if (!old_status.IsNotFound()) {
    check(old_status, "reading an entry before overwriting it");
  }
  batch.Put(db_->family(Family::data), slice(id), encode_record(header, value.msgpack()));
  add_index_puts(batch, id, key, header);
}

void Store::set(const CacheKey& key, const Value& value, std::optional<Ttl> ttl) {
  require_writable();
  const std::string id = encode_id(key);
  const std::int64_t now = now_ns();
  const auto guard = locks_.lock_entry(id);
  rocksdb::PinnableSlice old;
  const rocksdb::Status status =
      db_->db().Get(rocksdb::ReadOptions(), db_->family(Family::data), id, &old);
  rocksdb::WriteBatch batch;
  std::int64_t count_delta = 0;
  add_set(batch, id, key, value, ttl, status, old, now, count_delta);
  write_counted(batch, count_delta);
  access_.forget(id);
}

// --- erasing ---------------------------------------------------------------------------------

std::size_t Store::erase_many(const std::vector<CacheKey>& keys) {
  require_writable();
  std::vector<EraseTarget> targets;
  targets.reserve(keys.size());
  for (const CacheKey& key : keys) targets.push_back({.id = encode_id(key)});
  // One batch, however many keys: erase_many is atomic.
  return erase_chunk(targets, now_ns());
}

std::size_t Store::erase_matching(const KeyPattern& pattern) {
  require_writable();
  std::vector<EraseTarget> targets;
  scan_prefix(db_->db(), db_->family(Family::data), pattern.literal_prefix(),
              [&](std::string_view id, std::string_view) {
                if (pattern.matches(id_full_key(id))) targets.push_back({.id = std::string(id)});
              });
  return erase_targets(std::move(targets));
}

std::size_t Store::erase_group(Family family, const std::vector<std::string>& groups) {
  require_writable();
  std::vector<EraseTarget> targets;
  for (const std::string& group : groups) {
    scan_prefix(db_->db(), db_->family(family), group_prefix(group),
                [&](std::string_view index_key, std::string_view index_value) {
                  const auto value = decode_index_value(index_value);
                  const std::string_view id = group_index_id(index_key);
                  if (!value || id.empty()) {
                    throw CorruptionError(fmt::format("damaged {} index entry", family_name(family)));
                  }
                  targets.push_back({.id = std::string(id),
                                     .generation = value->created_ns,
                                     .index_key = std::string(index_key),
                                     .index_family = family});
                });
  }
  // An entry with several of the tags is found once per tag; erase and count it once.
  std::sort(targets.begin(), targets.end(),
            [](const EraseTarget& a, const EraseTarget& b) { return a.id < b.id; });
  return erase_targets(std::move(targets));
}

std::size_t Store::erase_tagged(const std::vector<std::string>& tags) {
  require_writable();
  std::vector<std::string> unique_tags(tags);
  std::sort(unique_tags.begin(), unique_tags.end());
  unique_tags.erase(std::unique(unique_tags.begin(), unique_tags.end()), unique_tags.end());

  // Writers wait: a set between the index scan and the epoch would be erased uncounted.
  const auto guard = locks_.lock_bulk();
  const std::int64_t now = now_ns();
  std::vector<ErasedCandidate> found;
  std::vector<const std::string*> epoch_tags;  // tags that erase at least one entry
  for (const std::string& tag : unique_tags) {
    const std::optional<std::int64_t> pending = epochs_.epoch_of(tag);
    const std::size_t before = found.size();
    scan_prefix(db_->db(), db_->family(Family::tags), group_prefix(tag),
                [&](std::string_view index_key, std::string_view index_value) {
                  const auto value = decode_index_value(index_value);
                  const std::string_view id = group_index_id(index_key);
                  if (!value || id.empty()) throw CorruptionError("damaged tags index entry");
                  if (pending && value->created_ns <= *pending) return;  // erased already
                  found.push_back({std::string(id), *value});
                });
    if (found.size() > before) epoch_tags.push_back(&tag);
  }
  if (found.empty()) return 0;
  // An entry with several of the tags is found once per tag; erase and count it once.
  std::sort(found.begin(), found.end(), [](const ErasedCandidate& a, const ErasedCandidate& b) {
    return std::tie(a.id, a.index.created_ns) < std::tie(b.id, b.index.created_ns);
  });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const ErasedCandidate& a, const ErasedCandidate& b) {
                            return a.id == b.id && a.index.created_ns == b.index.created_ns;
                          }),
              found.end());
  drop_erased_by_other_tags(found);

  // Epochs cover every stored generation; later sets take higher ones.
  const std::int64_t epoch = std::max(
      {now, newest_generation_.load(std::memory_order_relaxed), epochs_.highest()});
  rocksdb::WriteBatch batch;
  std::int64_t count_delta = 0;
  std::size_t unexpired = 0;
  for (const ErasedCandidate& entry : found) {
    const std::optional<std::int64_t>& expires = entry.index.expires_ns;
    if (!expires) {
      --count_delta;
      ++unexpired;
      continue;
    }
    if (below_watermark(*expires)) continue;  // settled: neither counted nor in the ledger
    RecordHeader header{.created_ns = entry.index.created_ns, .expires_ns = expires};
    // An expired entry (or one the filter dropped) is counted while its ledger entry is left.
    const bool expired = now > *expires;
    if (expired && !ledger_holds(*db_, entry.id, header)) continue;
    batch.Delete(db_->family(Family::expiry),
                 expiry_index_key(*expires, entry.index.created_ns, entry.id));
    --count_delta;
    if (!expired) ++unexpired;
  }
  const std::string encoded_epoch = encode_counter(epoch);
  for (const std::string* tag : epoch_tags) {
    batch.Put(db_->family(Family::meta), TagEpochs::stored_key(*tag), encoded_epoch);
  }
  write_counted(batch, count_delta);
  for (const std::string* tag : epoch_tags) epochs_.raise(*tag, epoch);
  return unexpired;
}

void Store::drop_erased_by_other_tags(std::vector<ErasedCandidate>& found) {
  // Only an entry created at or before some epoch can be erased already (by another tag's);
  // its record tells which tags it has. Usually there is none, and nothing is read.
  const std::int64_t highest = epochs_.highest();
  std::vector<std::size_t> doubtful;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (found[i].index.created_ns <= highest) doubtful.push_back(i);
  }
  if (doubtful.empty()) return;
  std::vector<rocksdb::Slice> slices;
  slices.reserve(doubtful.size());
  for (std::size_t i : doubtful) slices.emplace_back(slice(found[i].id));
  std::vector<rocksdb::PinnableSlice> records(slices.size());
  std::vector<rocksdb::Status> statuses(slices.size());
  db_->db().MultiGet(rocksdb::ReadOptions(), db_->family(Family::data), slices.size(),
                     slices.data(), records.data(), statuses.data());
  std::vector<bool> drop(found.size(), false);
  for (std::size_t j = 0; j < doubtful.size(); ++j) {
    if (statuses[j].IsNotFound()) continue;  // dropped by the filter: handled as expired
    check(statuses[j], "reading an entry to erase it");
    const RecordHeader header = decode_record(records[j].ToStringView()).header;
    if (header.created_ns == found[doubtful[j]].index.created_ns && epochs_.erases(header)) {
      drop[doubtful[j]] = true;
    }
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (!drop[i]) found[kept++] = std::move(found[i]);
  }
  found.resize(kept);
}

std::size_t Store::purge_erased() {
  if (db_->mode() != OpenMode::read_write || epochs_.empty()) return 0;
  std::size_t purged = 0;
  for (const auto& [tag, epoch] : epochs_.snapshot()) {
    std::vector<EraseTarget> targets;
    scan_prefix(db_->db(), db_->family(Family::tags), group_prefix(tag),
                [&](std::string_view index_key, std::string_view index_value) {
                  const auto value = decode_index_value(index_value);
                  const std::string_view id = group_index_id(index_key);
                  if (!value || id.empty()) throw CorruptionError("damaged tags index entry");
                  if (value->created_ns > epoch) return;  // set after the erase
                  targets.push_back({.id = std::string(id),
                                     .generation = value->created_ns,
                                     .index_key = std::string(index_key),
                                     .index_family = Family::tags});
                });
    // The records are erased already and uncounted: erase_targets deletes them with their
    // index entries (and any ledger entry still counting one) and reports none as erased.
    purged += targets.size();
    erase_targets(std::move(targets));
    const auto guard = locks_.lock_bulk();
    if (epochs_.epoch_of(tag) != epoch) continue;  // raised meanwhile: the next purge
    rocksdb::WriteBatch batch;
    batch.Delete(db_->family(Family::meta), TagEpochs::stored_key(tag));
    write(batch, true);
    epochs_.retire(tag, epoch);
  }
  return purged;
}

std::size_t Store::cleanup_expired() {
  require_writable();
  const std::int64_t now = now_ns();
  std::string upper;
  put_time(upper, now);  // ledger keys below this expired strictly before `now`
  std::string resume;
  std::size_t settled = 0;
  for (;;) {
    const std::size_t slice_settled = settle_ledger_slice(upper, resume, now);
    settled += slice_settled;
    if (slice_settled < kSettleSlice) return settled;
  }
}

std::size_t Store::settle_ledger_slice(const std::string& upper, std::string& resume,
                                       std::int64_t now) {
  // Writers wait while the slice is counted and settled: a set or erase of an entry whose
  // ledger entry is in the slice would change the count the settlement subtracts.
  const auto guard = locks_.lock_bulk();
  rocksdb::ReadOptions read;
  rocksdb::Slice upper_slice(upper);
  read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db_->db().NewIterator(read, db_->family(Family::expiry)));
  if (resume.empty()) {
    // No ledger entry expires below the watermark (cleanups settled them, and sets write none
    // there), so the scan starts at it rather than stepping over the tombstones of earlier
    // cleanups one by one until compaction drops them.
    const std::int64_t watermark = cleanup_watermark_.load(std::memory_order_relaxed);
    if (watermark != std::numeric_limits<std::int64_t>::min()) put_time(resume, watermark);
  }
  resume.empty() ? it->SeekToFirst() : it->Seek(resume);
  std::string first;
  std::string last;
  std::size_t count = 0;
  for (; it->Valid() && count < kSettleSlice; it->Next(), ++count) {
    if (!decode_expiry_index_key(it->key().ToStringView())) {
      throw CorruptionError("damaged expiry index entry");
    }
    if (count == 0) first = it->key().ToString();
    last.assign(it->key().data(), it->key().size());
  }
  check(it->status(), "scanning the expiry index");
  it.reset();
  if (count == 0) return 0;

  // The smallest key after `last`: DeleteRange excludes its end.
  resume = last;
  resume.push_back('\0');
  // Every ledger entry expiring before the last one settled is settled now; when the scan
  // reached `upper`, every one expiring before `now`.
  const std::int64_t bound =
      count < kSettleSlice ? now : decode_expiry_index_key(last)->expires_ns;
  const std::int64_t watermark =
      std::max(bound, cleanup_watermark_.load(std::memory_order_relaxed));
  rocksdb::WriteBatch batch;
  batch.DeleteRange(db_->family(Family::expiry), first, resume);
  batch.Put(db_->family(Family::meta), kCleanupWatermarkKey, encode_counter(watermark));
  write_counted(batch, -static_cast<std::int64_t>(count));
  cleanup_watermark_.store(watermark, std::memory_order_relaxed);
  return count;
}

bool Store::indexes_under(const RecordHeader& header, Family family, std::string_view index_key) {
  // An id names one namespace, so the namespaces index key of an id is always its record's.
  if (family != Family::tags) return true;
  const std::string_view tag = group_index_group(index_key);
  return std::find(header.tags.begin(), header.tags.end(), tag) != header.tags.end();
}

std::size_t Store::erase_targets(std::vector<EraseTarget> targets) {
  std::size_t total = 0;
  const std::int64_t now = now_ns();
  for (std::size_t begin = 0; begin < targets.size(); begin += kChunk) {
    const std::size_t end = std::min(targets.size(), begin + kChunk);
    std::vector<EraseTarget> chunk(std::make_move_iterator(targets.begin() + begin),
                                   std::make_move_iterator(targets.begin() + end));
    total += erase_chunk(chunk, now);
  }
  return total;
}

std::size_t Store::erase_chunk(std::vector<EraseTarget>& chunk, std::int64_t now) {
  std::vector<std::string_view> ids;
  ids.reserve(chunk.size());
  for (const EraseTarget& target : chunk) ids.push_back(target.id);
  const auto guard = locks_.lock_entries(ids);

  std::vector<rocksdb::Slice> slices(ids.begin(), ids.end());
  std::vector<rocksdb::PinnableSlice> records(ids.size());
  std::vector<rocksdb::Status> statuses(ids.size());
  db_->db().MultiGet(rocksdb::ReadOptions(), db_->family(Family::data), slices.size(),
                     slices.data(), records.data(), statuses.data());

  std::size_t unexpired = 0;
  rocksdb::WriteBatch batch;
  std::int64_t count_delta = 0;
  std::unordered_set<std::string_view> erased;  // ids erased by this batch, to skip repeats
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    const EraseTarget& target = chunk[i];
    const bool repeat = erased.contains(target.id);
    std::optional<RecordHeader> header;
    if (statuses[i].ok() && !repeat) {
      header = decode_record(records[i].ToStringView()).header;
    } else if (!statuses[i].ok() && !statuses[i].IsNotFound()) {
      check(statuses[i], "reading an entry to erase it");
    }
    const bool matches = header && (!target.generation || *target.generation == header->created_ns);
    if (matches) {
      const auto key = decode_id(target.id);
      if (!key) throw CorruptionError("damaged entry id");
      batch.Delete(db_->family(Family::data), target.id);
      add_index_deletes(batch, target.id, *key, *header);
      if (is_counted(target.id, *header, now)) --count_delta;
      if (!is_expired(*header, now) && !epochs_.erases(*header)) ++unexpired;
      erased.insert(target.id);
      access_.forget(target.id);
      continue;
    }
    if (repeat || target.index_key.empty()) continue;
    // The entry the index entry names is gone or was replaced: drop the stale index entry,
    // unless the replacement (set since the index was scanned) owns that index key again.
    if (header && indexes_under(*header, target.index_family, target.index_key)) continue;
    batch.Delete(db_->family(target.index_family), target.index_key);
  }
  if (batch.Count() > 0) write_counted(batch, count_delta);
  return unexpired;
}

void Store::clear() {
  require_writable();
  const auto guard = locks_.lock_bulk();
  rocksdb::WriteBatch batch;
  for (Family family : {Family::data, Family::tags, Family::namespaces, Family::expiry,
                        Family::created}) {
    std::unique_ptr<rocksdb::Iterator> it(
        db_->db().NewIterator(rocksdb::ReadOptions(), db_->family(family)));
    it->SeekToFirst();
    if (!it->Valid()) {
      check(it->status(), "scanning before clear");
      continue;
    }
    const std::string first = it->key().ToString();
    it->SeekToLast();
    check(it->status(), "scanning before clear");
    const std::string last = it->key().ToString();
    batch.DeleteRange(db_->family(family), first, last);
    batch.Delete(db_->family(family), last);  // DeleteRange excludes its end
  }
  batch.Put(db_->family(Family::meta), kEntryCountKey, encode_counter(0));
  for (const auto& [tag, epoch] : epochs_.snapshot()) {
    batch.Delete(db_->family(Family::meta), TagEpochs::stored_key(tag));
  }
  write(batch, true);
  entry_count_.store(0, std::memory_order_relaxed);  // writers wait for the bulk lock
  epochs_.clear();
  access_.clear();
}

// --- stats and maintenance -------------------------------------------------------------------

CacheStats Store::stats() {
  CacheStats stats;
  // A read-write instance is the only writer, so its own mirror is the count; others read
  // the stored one, which a live writer keeps changing.
  const std::int64_t entries = db_->mode() == OpenMode::read_write
                                   ? entry_count_.load(std::memory_order_relaxed)
                                   : db_->read_counter(kMetaEntryCount);
  stats.total_entries = static_cast<std::uint64_t>(std::max<std::int64_t>(0, entries));
  stats.total_hits = hits_.load();
  stats.total_misses = misses_.load();
  stats.hit_rate = hit_rate_of(stats.total_hits, stats.total_misses);
  std::uint64_t memory = db_->block_cache_usage();
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    for (const char* property : {"rocksdb.cur-size-all-mem-tables", "rocksdb.estimate-table-readers-mem"}) {
      std::uint64_t value = 0;
      if (db_->db().GetIntProperty(db_->family(static_cast<Family>(i)), property, &value)) {
        memory += value;
      }
    }
  }
  stats.memory_usage_bytes = memory;
  stats.oldest_entry = edge_created_at(*db_, false, epochs_);
  stats.newest_entry = edge_created_at(*db_, true, epochs_);
  return stats;
}

void Store::flush() {
  if (db_->mode() != OpenMode::read_write) return;
  std::lock_guard flush_lock(flush_mutex_);
  const std::vector<std::pair<std::string, PendingAccess>> pending = access_.drain();
  // In lock-stripe order, so that each group holds the stripes of its own entries only and
  // writers of every other entry go on.
  std::vector<std::pair<std::size_t, std::size_t>> order;  // (stripe, index in pending)
  order.reserve(pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    order.emplace_back(KeyLocks::stripe_of(pending[i].first), i);
  }
  std::sort(order.begin(), order.end());
  for (std::size_t begin = 0; begin < order.size();) {
    std::vector<std::size_t> stripes;
    std::size_t end = begin;
    for (; end < order.size() && end - begin < kChunk; ++end) {
      const std::size_t stripe = order[end].first;
      if (stripes.empty() || stripes.back() != stripe) {
        if (stripes.size() == KeyLocks::kMaxStripesHeld) break;
        stripes.push_back(stripe);
      }
    }
    std::vector<const std::pair<std::string, PendingAccess>*> group;
    for (std::size_t i = begin; i < end; ++i) group.push_back(&pending[order[i].second]);
    write_access(group, stripes);
    begin = end;
  }

  const std::uint64_t hits = hits_.load();
  const std::uint64_t misses = misses_.load();
  rocksdb::WriteBatch totals;
  if (hits != hits_flushed_) {
    totals.Merge(db_->family(Family::meta), std::string(kMetaHits),
                 encode_counter(static_cast<std::int64_t>(hits - hits_flushed_)));
  }
  if (misses != misses_flushed_) {
    totals.Merge(db_->family(Family::meta), std::string(kMetaMisses),
                 encode_counter(static_cast<std::int64_t>(misses - misses_flushed_)));
  }
  if (totals.Count() > 0) write(totals, false);
  hits_flushed_ = hits;
  misses_flushed_ = misses;
}

void Store::write_access(const std::vector<const std::pair<std::string, PendingAccess>*>& group,
                         const std::vector<std::size_t>& stripes) {
  // The records are read and rebuilt before their locks are taken, so that writers of these
  // entries wait for the write alone. The batch must land before the stripes are released,
  // and only if no write of these entries came in between: this rewrite would otherwise undo
  // a concurrent set of an entry it read before the set. Then the group is read again, under
  // the locks.
  const KeyLocks::Versions noted = locks_.versions_of(stripes);
  rocksdb::WriteBatch batch = access_batch(group);
  const auto guard = locks_.lock_stripes(stripes);
  if (!locks_.unchanged_since(noted, stripes)) batch = access_batch(group);
  if (batch.Count() > 0) write(batch, false);
}

rocksdb::WriteBatch Store::access_batch(
    const std::vector<const std::pair<std::string, PendingAccess>*>& group) {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(group.size());
  for (const auto* item : group) slices.emplace_back(slice(item->first));
  std::vector<rocksdb::PinnableSlice> records(slices.size());
  std::vector<rocksdb::Status> statuses(slices.size());
  db_->db().MultiGet(rocksdb::ReadOptions(), db_->family(Family::data), slices.size(),
                     slices.data(), records.data(), statuses.data());
  rocksdb::WriteBatch batch;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    if (statuses[i].IsNotFound()) continue;
    check(statuses[i], "reading an entry to record its hits");
    DecodedRecord record = decode_record(records[i].ToStringView());
    const PendingAccess& access = group[i]->second;
    if (record.header.created_ns != access.created_ns) continue;  // replaced meanwhile
    if (epochs_.erases(record.header)) continue;
    record.header.hit_count += access.hits;
    record.header.last_accessed_ns =
        std::max(record.header.last_accessed_ns, access.last_accessed_ns);
    batch.Put(db_->family(Family::data), slices[i],
              encode_record(record.header, record.value_msgpack));
  }
  return batch;
}

void Store::compact() {
  require_writable();
  purge_erased();  // so the compaction also frees what erase_by_tags left
  rocksdb::CompactRangeOptions options;
  options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    check(db_->db().CompactRange(options, db_->family(static_cast<Family>(i)), nullptr, nullptr),
          "compacting the cache");
  }
}

}  // namespace portico::cache::internal
