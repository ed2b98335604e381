// Consistency check of a cache directory: every index entry points at a live entry with the
// same generation, every entry is indexed under its tags, namespace, creation time and expiry,
// and the entry count matches a recount. With `repair`, what was found is fixed in one batch.
//
// Index entries whose entry the compaction filter already dropped are not problems: they are
// expired, and cleanup or compaction removes them. The recount includes entries that the
// filter dropped but cleanup has not yet settled (their ledger entry still exists).
//
// Thread-safety: reads a consistent snapshot; a repair must not race writers, so it is meant
// for a cache no other instance has open.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "rocksdb/database.hpp"

namespace portico::cache::internal {

struct VerifyReport {
  std::uint64_t entries = 0;           // records in the data family
  std::uint64_t index_entries = 0;     // entries read from the index families
  std::int64_t stored_count = 0;       // the entry count in meta
  std::int64_t expected_count = 0;     // what it should be
  std::vector<std::string> problems;   // one line each
  bool repaired = false;

  bool ok() const { return problems.empty(); }
};

// `now` decides which index entries have expired. `progress` (optional) is called with the
// number of keys read so far, now and then.
VerifyReport verify_database(Database& database, bool repair, TimePoint now,
                             const std::function<void(std::uint64_t)>& progress = {});

}  // namespace portico::cache::internal
