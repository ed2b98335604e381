#include "rocksdb/store.hpp"

#include <unordered_map>
#include <unordered_set>

#include "core/expiry.hpp"
#include "rocksdb/counter_merge.hpp"
#include "rocksdb/reads.hpp"

namespace portico::cache::internal {

namespace {

const std::string kEntryCountKey(kMetaEntryCount);

}  // namespace

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
  const MultiGetResult old = read_many(*db_, Family::data, slices_of(ids));
  // The whole batch is one atomic write: either every item lands or none does.
  Batch batch;
  std::int64_t count_delta = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    add_set(batch, ids[i], writes[i]->key, writes[i]->value, writes[i]->ttl,
            old.find(i, "reading an entry before overwriting it"), now, count_delta);
  }
  write_counted(batch, count_delta);
  for (const std::string& id : ids) access_.forget(id);
}

void Store::add_set(Batch& batch, std::string_view id, const CacheKey& key,
                    const Value& value, std::optional<Ttl> ttl,
                    std::optional<std::string_view> old_record, std::int64_t now,
                    std::int64_t& count_delta) {
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
  if (!header.expires_ns || !visibility_.below_watermark(*header.expires_ns)) ++count_delta;
  // Deletes of the old indexes go first: within a batch the later write of a key wins.
  // A damaged old record is replaced, never a reason to refuse the write. It was counted when
  // it was written (as every record is but those a tag erased or a cleanup settled, which
  // are rare and which verify recounts), so it leaves the count now. Its index entries,
  // unreadable, stay as stale entries that erases and verify recognise.
  if (old_record) {
    if (const auto old = decode_record_if_intact(*old_record)) {
      add_index_deletes(batch, id, key, old->header);
      if (visibility_.is_counted(id, old->header, now)) --count_delta;
    } else {
      --count_delta;
    }
  }
  batch.put(db_->family(Family::data), id, encode_record(header, value.msgpack()));
  add_index_puts(batch, id, key, header);
}

void Store::set(const CacheKey& key, const Value& value, std::optional<Ttl> ttl) {
  require_writable();
  const std::string id = encode_id(key);
  const std::int64_t now = now_ns();
  const auto guard = locks_.lock_entry(id);
  rocksdb::PinnableSlice old;
  std::optional<std::string_view> old_record;
  if (read_one(*db_, Family::data, id, old, "reading an entry before overwriting it")) {
    old_record = old.ToStringView();
  }
  Batch batch;
  std::int64_t count_delta = 0;
  add_set(batch, id, key, value, ttl, old_record, now, count_delta);
  write_counted(batch, count_delta);
  access_.forget(id);
}

std::size_t Store::erase_many(const std::vector<CacheKey>& keys) {
  require_writable();
  std::vector<EraseTarget> targets;
  targets.reserve(keys.size());
  for (const CacheKey& key : keys) targets.push_back({.id = encode_id(key)});
  // One batch, however many keys: erase_many is atomic.
  return erase_chunk(targets, now_ns());
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

  const MultiGetResult records = read_many(*db_, Family::data, slices_of(ids));

  std::size_t unexpired = 0;
  Batch batch;
  std::int64_t count_delta = 0;
  std::unordered_set<std::string_view> erased;  // ids erased by this batch, to skip repeats
  for (std::size_t i = 0; i < chunk.size(); ++i) {
    const EraseTarget& target = chunk[i];
    const bool repeat = erased.contains(target.id);
    std::optional<RecordHeader> header;
    const std::optional<std::string_view> record = records.find(i, "reading an entry to erase it");
    if (record && !repeat) {
      if (auto decoded = decode_record_if_intact(*record)) {
        header = std::move(decoded->header);
      } else {
        // Damaged: deleted as an absent entry (not reported erased), so the key can be used
        // again; it leaves the count as in add_set.
        batch.del(db_->family(Family::data), target.id);
        --count_delta;
        if (!target.index_key.empty()) batch.del(db_->family(target.index_family), target.index_key);
        access_.forget(target.id);
        erased.insert(target.id);
        continue;
      }
    }
    const bool matches = header && (!target.generation || *target.generation == header->created_ns);
    if (matches) {
      const auto key = decode_id(target.id);
      batch.del(db_->family(Family::data), target.id);
      if (!key) {  // a damaged id names no entry: the record goes, uncounted
        erased.insert(target.id);
        continue;
      }
      add_index_deletes(batch, target.id, *key, *header);
      if (visibility_.is_counted(target.id, *header, now)) --count_delta;
      if (!visibility_.is_expired(*header, now) && !visibility_.is_erased(*header)) ++unexpired;
      erased.insert(target.id);
      access_.forget(target.id);
      continue;
    }
    if (repeat || target.index_key.empty()) continue;
    // The entry the index entry names is gone or was replaced: drop the stale index entry,
    // unless the replacement (set since the index was scanned) owns that index key again.
    if (header && indexes_under(*header, target.index_family, target.index_key)) continue;
    batch.del(db_->family(target.index_family), target.index_key);
  }
  if (batch.count() > 0) write_counted(batch, count_delta);
  return unexpired;
}

void Store::clear() {
  require_writable();
  const auto guard = locks_.lock_bulk();
  Batch batch;
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
    batch.delete_range(db_->family(family), first, last);
    batch.del(db_->family(family), last);  // DeleteRange excludes its end
  }
  batch.put(db_->family(Family::meta), kEntryCountKey, encode_counter(0));
  for (const auto& [tag, epoch] : visibility_.epochs().snapshot()) {
    batch.del(db_->family(Family::meta), TagEpochs::stored_key(tag));
  }
  batch.del(db_->family(Family::meta), kMetaCleanupWatermark);
  write(batch, true);
  entry_count_.store(0, std::memory_order_relaxed);  // writers wait for the bulk lock
  visibility_.epochs().clear();
  // An empty cache has nothing settled: a watermark a clock step once pushed ahead goes too.
  visibility_.reset_watermark();
  access_.clear();
}

}  // namespace portico::cache::internal
