// TagEpochs: tag invalidations whose entries are not purged yet.
//
// erase_by_tags(T) does not rewrite the entries it erases. It records an epoch for T in `meta`
// (key kMetaTagEpochPrefix + T, in the same batch as the count change): every stored record
// tagged T whose generation (created_ns) is at or below the epoch is erased, whatever else it
// says. Readers treat such a record as absent and uncounted; a later pass (Store's purge)
// deletes the records and their index entries, then retires the epoch. Generations of later
// sets are always above every epoch, so a re-created entry is never erased by an old epoch.
//
// This object is the in-memory copy of the stored epochs. A read-write Store owns the only one
// that changes; tools load a fresh copy from the database they inspect.
//
// Thread-safety: every method may be called concurrently. A record is judged against the
// epochs of the moment: a get racing with erase_by_tags may return the entry or not, as if it
// came before or after the erase.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"

namespace portico::cache::internal {

class TagEpochs {
 public:
  TagEpochs() = default;
  // The epochs stored in `db`'s meta family, as `read` sees it (a snapshot, for a reader that
  // must see them as of the records it reads). Throws CorruptionError on an undecodable one.
  static std::vector<std::pair<std::string, std::int64_t>> read_stored(
      Database& db, const rocksdb::ReadOptions& read = {});
  void load(Database& db, const rocksdb::ReadOptions& read = {});

  // Whether an epoch erases the record with `header` (a generation and its tags).
  bool erases(const RecordHeader& header) const;
  bool empty() const { return size_.load(std::memory_order_acquire) == 0; }
  std::optional<std::int64_t> epoch_of(std::string_view tag) const;
  // The highest epoch ever recorded by this object (loaded or raised), or INT64_MIN.
  std::int64_t highest() const { return highest_.load(std::memory_order_acquire); }
  std::vector<std::pair<std::string, std::int64_t>> snapshot() const;

  // Meta key of `tag`'s epoch.
  static std::string stored_key(std::string_view tag);

  // In memory only; the caller stores the change in the same batch as the entry count.
  void raise(const std::string& tag, std::int64_t epoch);
  // Forgets `tag`'s epoch if it is still `epoch`; false when it changed meanwhile.
  bool retire(const std::string& tag, std::int64_t epoch);
  void clear();

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> epochs_;  // by mutex_
  std::atomic<std::size_t> size_{0};
  std::atomic<std::int64_t> highest_{INT64_MIN};
};

}  // namespace portico::cache::internal
