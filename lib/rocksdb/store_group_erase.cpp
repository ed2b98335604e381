#include "rocksdb/store.hpp"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "rocksdb/counter_merge.hpp"
#include "rocksdb/reads.hpp"

namespace portico::cache::internal {

std::size_t Store::erase_matching(const KeyPattern& pattern) {
  require_writable();
  std::vector<EraseTarget> targets;
  scan_prefix(*db_, Family::data, pattern.literal_prefix(),
              [&](std::string_view id, std::string_view) {
                if (pattern.matches(id_full_key(id))) targets.push_back({.id = std::string(id)});
              });
  return erase_targets(std::move(targets));
}

void Store::collect_group(Family family, std::string_view group,
                          std::vector<EraseTarget>& targets, std::int64_t max_generation) {
  scan_group(*db_, family, group,
             [&](std::string_view index_key, std::string_view id, const IndexValue& index) {
               if (index.created_ns > max_generation) return;
               targets.push_back({.id = std::string(id),
                                  .generation = index.created_ns,
                                  .index_key = std::string(index_key),
                                  .index_family = family});
             });
}

std::size_t Store::erase_group(Family family, const std::vector<std::string>& groups) {
  require_writable();
  std::vector<EraseTarget> targets;
  for (const std::string& group : groups) collect_group(family, group, targets);
  // An entry with several of the tags is found once per tag; erase and count it once.
  std::sort(targets.begin(), targets.end(),
            [](const EraseTarget& a, const EraseTarget& b) { return a.id < b.id; });
  return erase_targets(std::move(targets));
}

std::size_t Store::erase_tagged(const std::vector<std::string>& tags) {
  require_writable();

  // Writers wait: a set between the index scan and the epoch would be erased uncounted.
  const auto guard = locks_.lock_bulk();
  const std::int64_t now = now_ns();
  std::vector<ErasedCandidate> found;
  std::vector<const std::string*> epoch_tags;  // tags that erase at least one entry
  for (const std::string& tag : tags) {  // free of duplicates: the port saw to that
    const std::optional<std::int64_t> pending = visibility_.epochs().epoch_of(tag);
    const std::size_t before = found.size();
    scan_group(*db_, Family::tags, tag,
               [&](std::string_view, std::string_view id, const IndexValue& index) {
                 if (pending && index.created_ns <= *pending) return;  // erased already
                 found.push_back({std::string(id), index});
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
      {now, newest_generation_.load(std::memory_order_relaxed), visibility_.epochs().highest()});
  Batch batch;
  std::int64_t count_delta = 0;
  std::size_t unexpired = 0;
  for (const ErasedCandidate& entry : found) {
    const std::optional<std::int64_t>& expires = entry.index.expires_ns;
    if (!expires) {
      --count_delta;
      ++unexpired;
      continue;
    }
    if (visibility_.below_watermark(*expires)) continue;  // settled: neither counted nor in the ledger
    RecordHeader header{.created_ns = entry.index.created_ns, .expires_ns = expires};
    // An expired entry (or one the filter dropped) is counted while its ledger entry is left.
    const bool expired = now > *expires;
    if (expired && !visibility_.ledger_holds(entry.id, header)) continue;
    batch.del(db_->family(Family::expiry),
                 expiry_index_key(*expires, entry.index.created_ns, entry.id));
    --count_delta;
    if (!expired) ++unexpired;
  }
  const std::string encoded_epoch = encode_counter(epoch);
  for (const std::string* tag : epoch_tags) {
    batch.put(db_->family(Family::meta), TagEpochs::stored_key(*tag), encoded_epoch);
  }
  write_counted(batch, count_delta);
  for (const std::string* tag : epoch_tags) visibility_.epochs().raise(*tag, epoch);
  return unexpired;
}

void Store::drop_erased_by_other_tags(std::vector<ErasedCandidate>& found) {
  // Only an entry created at or before some epoch can be erased already (by another tag's);
  // its record tells which tags it has. Usually there is none, and nothing is read.
  // So can an id found under two generations (an index entry a damaged record's
  // replacement could not delete): its record tells which generation is live.
  const std::int64_t highest = visibility_.epochs().highest();
  const auto same_id = [&](std::size_t i, std::size_t j) {
    return j < found.size() && found[i].id == found[j].id;
  };
  std::vector<std::size_t> doubtful;
  for (std::size_t i = 0; i < found.size(); ++i) {
    if (found[i].index.created_ns <= highest || (i > 0 && same_id(i - 1, i)) || same_id(i, i + 1)) {
      doubtful.push_back(i);
    }
  }
  if (doubtful.empty()) return;
  std::vector<rocksdb::Slice> slices;
  slices.reserve(doubtful.size());
  for (std::size_t i : doubtful) slices.emplace_back(slice(found[i].id));
  const MultiGetResult records = read_many(*db_, Family::data, slices);
  std::vector<bool> drop(found.size(), false);
  for (std::size_t j = 0; j < doubtful.size(); ++j) {
    // A record the filter dropped is handled as expired.
    const std::optional<std::string_view> record = records.find(j, "reading an entry to erase it");
    if (!record) continue;
    const std::optional<DecodedRecord> decoded = decode_record_if_intact(*record);
    // A damaged record is no entry, nor is another generation than the index entry's: nothing
    // to erase or count.
    if (!decoded || decoded->header.created_ns != found[doubtful[j]].index.created_ns ||
        visibility_.is_erased(decoded->header)) {
      drop[doubtful[j]] = true;
    }
  }
  // remove_if tests each element at its original place before moving any later one there,
  // and never moves an element onto itself.
  std::erase_if(found, [&](const ErasedCandidate& candidate) {
    return drop[static_cast<std::size_t>(&candidate - found.data())];
  });
}

}  // namespace portico::cache::internal
