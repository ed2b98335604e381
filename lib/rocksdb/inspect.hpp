// Read-only queries over an open cache database, for tools that look into a cache directory
// (cache-inspect) rather than serve it: entry iteration with decoding, lookups that count no
// hit, per-group and per-family counts. The store never uses this file.
//
// Nothing here writes. Every function works on a Database opened in any mode (read-write,
// read-only or secondary). Index entries whose generation matches no stored record (stale:
// left by an entry the compaction filter dropped, then re-created) are skipped everywhere,
// as the adapter itself skips them. So are, in scans and counts, the records of entries that
// cleanup_expired() settled (no longer counted, left for the compaction filter), and
// everywhere the records a tag epoch erased: Visibility decides, as it does for the store.
//
// Damaged records or ids throw CorruptionError.
//
// Thread-safety: as the Database: any thread, no shared state.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <portico/cache/entry.hpp>
#include <portico/cache/key.hpp>
#include <portico/cache/time.hpp>

#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"
#include "rocksdb/visibility.hpp"

namespace portico::cache::internal {

// One stored entry, decoded.
struct StoredEntry {
  std::string id{};
  CacheKey key{};  // with the tags it was set with
  RecordHeader header{};
  std::string value_msgpack{};

  // Shown entries are never below the cleanup watermark, so `now` alone decides.
  bool expired(std::int64_t now_ns) const { return past_expiry(header.expires_ns, now_ns); }
  // As the adapter would return it, without counting a hit.
  CacheEntry to_entry() const;
};

// Decodes one record of the data family. Throws CorruptionError.
StoredEntry decode_stored_entry(std::string_view id, std::string_view record);

// Which part of the data family a scan covers. Entries come in stored order: by id, which is
// by full_key (ids with equal full_key, distinct (ns, key) pairs, come together).
struct EntryScan {
  // Only entries whose full_key starts with this.
  std::string prefix{};
  // Only entries whose full_key sorts strictly after this (a pagination cursor).
  std::optional<std::string> after{};
};

// `visit` returns false to stop the scan.
using EntryVisitor = std::function<bool(StoredEntry&&)>;

// Visits the entries of the data family within `scan`, in stored order.
void scan_entries(Database& db, const EntryScan& scan, const EntryVisitor& visit);

// Visits the entries carrying `tag`, found through the tags index, in stored order.
void scan_tagged_entries(Database& db, std::string_view tag, const EntryScan& scan,
                         const EntryVisitor& visit);

// The stored entry of (ns, key), expired or not; nullopt when there is none or the adapter no
// longer shows it (erased by a tag, or settled by cleanup_expired).
std::optional<StoredEntry> read_entry(Database& db, const CacheKey& key);

// The (ns, key) pairs stored under `full_key` (they differ in where the namespace ends), with
// their tags; records the adapter no longer shows are left out.
std::vector<CacheKey> keys_with_full_key(Database& db, std::string_view full_key);

// Entries per tag or per namespace (family: tags or namespaces), sorted by name.
struct GroupCount {
  std::string name{};
  std::uint64_t live = 0;     // unexpired entries
  std::uint64_t expired = 0;  // expired entries not yet removed
};
std::vector<GroupCount> count_groups(Database& db, Family family, std::int64_t now_ns);

// Keys stored in one column family: counted by a full scan, or RocksDB's estimate.
std::uint64_t count_keys(Database& db, Family family);
std::uint64_t estimate_keys(Database& db, Family family);

}  // namespace portico::cache::internal
