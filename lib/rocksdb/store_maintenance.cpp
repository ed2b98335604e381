#include "rocksdb/store.hpp"

#include <algorithm>
#include <limits>

#include "rocksdb/counter_merge.hpp"
#include "rocksdb/reads.hpp"

namespace portico::cache::internal {

namespace {

const std::string kCleanupWatermarkKey(kMetaCleanupWatermark);

}  // namespace

std::size_t Store::purge_erased() {
  if (db_->mode() != OpenMode::read_write || visibility_.epochs().empty()) return 0;
  std::size_t purged = 0;
  for (const auto& [tag, epoch] : visibility_.epochs().snapshot()) {
    std::vector<EraseTarget> targets;
    collect_group(Family::tags, tag, targets, epoch);  // later sets are not erased
    // The records are erased already and uncounted: erase_targets deletes them with their
    // index entries (and any ledger entry still counting one) and reports none as erased.
    purged += targets.size();
    erase_targets(std::move(targets));
    const auto guard = locks_.lock_bulk();
    if (visibility_.epochs().epoch_of(tag) != epoch) continue;  // raised meanwhile: the next purge
    Batch batch;
    batch.del(db_->family(Family::meta), TagEpochs::stored_key(tag));
    write(batch, true);
    visibility_.epochs().retire(tag, epoch);
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
    if (const std::optional<std::int64_t> watermark = visibility_.watermark()) {
      put_time(resume, *watermark);
    }
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
  const std::int64_t watermark = std::max(
      bound, visibility_.watermark().value_or(std::numeric_limits<std::int64_t>::min()));
  Batch batch;
  batch.delete_range(db_->family(Family::expiry), first, resume);
  batch.put(db_->family(Family::meta), kCleanupWatermarkKey, encode_counter(watermark));
  write_counted(batch, -static_cast<std::int64_t>(count));
  visibility_.raise_watermark(watermark);
  return count;
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

  // Each running total goes to disk as the increment since the last flush.
  Batch totals;
  std::vector<std::pair<std::uint64_t*, std::uint64_t>> flushed;
  const auto add_total = [&](std::string_view name, const std::atomic<std::uint64_t>& total,
                             std::uint64_t& already_flushed) {
    const std::uint64_t now_total = total.load();
    if (now_total == already_flushed) return;
    totals.merge(db_->family(Family::meta), name,
                 encode_counter(static_cast<std::int64_t>(now_total - already_flushed)));
    flushed.emplace_back(&already_flushed, now_total);
  };
  add_total(kMetaHits, hits_, hits_flushed_);
  add_total(kMetaMisses, misses_, misses_flushed_);
  add_total(kMetaMaintenanceFailures, maintenance_failures_, failures_flushed_);
  if (totals.count() > 0) write(totals, false);
  for (auto [already_flushed, now_total] : flushed) *already_flushed = now_total;
}

void Store::write_access(const std::vector<const std::pair<std::string, PendingAccess>*>& group,
                         const std::vector<std::size_t>& stripes) {
  // The records are read and rebuilt before their locks are taken, so that writers of these
  // entries wait for the write alone. The batch must land before the stripes are released,
  // and only if no write of these entries came in between: this rewrite would otherwise undo
  // a concurrent set of an entry it read before the set. Then the group is read again, under
  // the locks.
  const KeyLocks::Versions noted = locks_.versions_of(stripes);
  Batch batch = access_batch(group);
  const auto guard = locks_.lock_stripes(stripes);
  if (!locks_.unchanged_since(noted, stripes)) batch = access_batch(group);
  if (batch.count() > 0) write(batch, false);
}

Batch Store::access_batch(
    const std::vector<const std::pair<std::string, PendingAccess>*>& group) {
  std::vector<rocksdb::Slice> slices;
  slices.reserve(group.size());
  for (const auto* item : group) slices.emplace_back(slice(item->first));
  const MultiGetResult records = read_many(*db_, Family::data, slices);
  Batch batch;
  for (std::size_t i = 0; i < slices.size(); ++i) {
    const std::optional<std::string_view> bytes =
        records.find(i, "reading an entry to record its hits");
    if (!bytes) continue;
    std::optional<DecodedRecord> decoded = decode_record_if_intact(*bytes);
    if (!decoded) continue;  // damaged: its hits are dropped with it
    DecodedRecord& record = *decoded;
    const PendingAccess& access = group[i]->second;
    if (record.header.created_ns != access.created_ns) continue;  // replaced meanwhile
    if (visibility_.is_erased(record.header)) continue;
    record.header.hit_count += access.hits;
    record.header.last_accessed_ns =
        std::max(record.header.last_accessed_ns, access.last_accessed_ns);
    batch.put(db_->family(Family::data), slices[i].ToStringView(),
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
