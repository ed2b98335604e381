// Visibility: which stored records are entries, and which the entry count includes. The one
// home of these rules: the store, cache-inspect's queries and verify all ask this class.
//
// A record of the data family is not an entry when
// - it has expired: past `now`, or expiring below the cleanup watermark (the highest bound a
//   cleanup_expired() settled; an entry expiring below it reads as expired even if the clock
//   goes back, see the adapter header), or
// - a tag epoch erased it (see TagEpochs): erase_by_tags leaves such records to the purge.
//
// The entry count includes a record
// - without expiry: while no epoch erased it;
// - with an expiry: while it is unexpired and not erased, and otherwise exactly while its
//   ledger entry (in the expiry family) still exists. cleanup_expired() settles the ledger
//   below `now` and subtracts what it settled; erase_by_tags deletes the ledger entries of the
//   unexpired entries it erases. A record below the watermark without a ledger entry is
//   "settled": uncounted, invisible, waiting for the compaction filter.
//
// Thread-safety: every const method may be called concurrently with each other and with the
// store's raise_watermark()/reset() (the watermark is atomic; TagEpochs guards itself).
#pragma once

#include <atomic>
#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

#include <portico/cache/entry.hpp>
#include <portico/cache/key.hpp>

#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"
#include "rocksdb/tag_epochs.hpp"

namespace portico::cache::internal {

// The base rule, without the watermark: an expiry `now` has passed.
inline bool past_expiry(std::optional<std::int64_t> expires_ns, std::int64_t now_ns) {
  return expires_ns && now_ns > *expires_ns;
}

class Visibility {
 public:
  explicit Visibility(Database& db) : db_(db) {}
  Visibility(const Visibility&) = delete;
  Visibility& operator=(const Visibility&) = delete;

  // Loads the stored tag epochs and cleanup watermark as `read` sees them (a snapshot, for a
  // reader that must judge records as of the moment it reads them). Throws CorruptionError.
  void load(const rocksdb::ReadOptions& read = {});

  TagEpochs& epochs() { return epochs_; }
  const TagEpochs& epochs() const { return epochs_; }

  // The cleanup watermark; nullopt before the first cleanup.
  std::optional<std::int64_t> watermark() const;
  // In memory only: the caller stores the same value in the batch that settles the ledger.
  void raise_watermark(std::int64_t watermark);
  void reset_watermark();

  bool below_watermark(std::int64_t expires_ns) const {
    return expires_ns < watermark_.load(std::memory_order_relaxed);
  }
  bool is_expired(std::optional<std::int64_t> expires_ns, std::int64_t now_ns) const {
    return past_expiry(expires_ns, now_ns) || (expires_ns && below_watermark(*expires_ns));
  }
  bool is_expired(const RecordHeader& header, std::int64_t now_ns) const {
    return is_expired(header.expires_ns, now_ns);
  }
  bool is_erased(const RecordHeader& header) const { return epochs_.erases(header); }
  // What get, exists and the erase counts see as an entry.
  bool is_visible(const RecordHeader& header, std::int64_t now_ns) const {
    return !is_expired(header, now_ns) && !is_erased(header);
  }
  // Whether the entry count includes the record of `id` with `header` (may read the ledger).
  bool is_counted(std::string_view id, const RecordHeader& header, std::int64_t now_ns) const;
  // Records the tools no longer show, expired or not: erased by an epoch, or settled.
  bool is_hidden(std::string_view id, const RecordHeader& header) const;
  // Whether the expiry ledger holds the entry of `id` with `header` (which has an expiry).
  bool ledger_holds(std::string_view id, const RecordHeader& header) const;

 private:
  Database& db_;
  TagEpochs epochs_;
  std::atomic<std::int64_t> watermark_{std::numeric_limits<std::int64_t>::min()};
};

// The CacheEntry a record stands for, as stored (no hit counted).
CacheEntry to_cache_entry(CacheKey key, RecordHeader header, std::string_view value_msgpack);

}  // namespace portico::cache::internal
