#include "rocksdb/verify.hpp"

#include <memory>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <algorithm>

#include <fmt/format.h>
#include <rocksdb/iterator.h>
#include <rocksdb/snapshot.h>
#include "rocksdb/batch.hpp"

#include "rocksdb/counter_merge.hpp"
#include "rocksdb/encoding.hpp"
#include "rocksdb/reads.hpp"
#include "rocksdb/visibility.hpp"

namespace portico::cache::internal {

namespace {

struct LiveRecord {
  RecordHeader header;
  CacheKey key;
};

std::string printable(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out;
}

class Verifier {
 public:
  Verifier(Database& db, bool repair, TimePoint now,
           const std::function<void(std::uint64_t)>& progress)
      : db_(db), visibility_(db), repair_(repair), progress_(progress), now_ns_(to_nanos(now)) {
    // A read-only or secondary instance is already a fixed view (a secondary moves only when
    // told to catch up), and a secondary's iterators refuse snapshots.
    if (db_.mode() == OpenMode::read_write) {
      snapshot_ = db_.db().GetSnapshot();
      read_.snapshot = snapshot_;
    }
    try {
      visibility_.load(read_);  // as of the snapshot the records are read at
    } catch (const CorruptionError& e) {
      problem(fmt::format("meta: {}", e.what()));
    }
  }
  ~Verifier() {
    if (snapshot_) db_.db().ReleaseSnapshot(snapshot_);
  }

  VerifyReport run() {
    load_records();
    check_group_index(Family::tags);
    check_group_index(Family::namespaces);
    check_created_index();
    check_ledger();
    check_missing_index_entries();
    check_count();
    if (repair_ && !report_.ok()) {
      fix_.put(db_.family(Family::meta), std::string(kMetaEntryCount),
               encode_counter(report_.expected_count));
      rocksdb::WriteOptions sync;
      sync.sync = true;
      check(db_.db().Write(sync, &fix_.raw()), "writing repairs");
      report_.repaired = true;
    }
    return std::move(report_);
  }

 private:
  template <class Visit>
  void scan(Family family, Visit&& visit) {
    scan_range(
        db_, family, {}, {},
        [&](std::string_view key, std::string_view value) {
          visit(key, value);
          if (progress_ && (++read_keys_ % 4096) == 0) progress_(read_keys_);
        },
        read_);
  }

  void problem(std::string line) { report_.problems.push_back(std::move(line)); }

  // As the store reads it.
  bool expired(std::optional<std::int64_t> expires_ns) const {
    return visibility_.is_expired(expires_ns, now_ns_);
  }

  // True when the index entry belongs to the stored record's current generation.
  const LiveRecord* live(std::string_view id, std::int64_t created_ns) const {
    const auto it = records_.find(std::string(id));
    if (it == records_.end() || it->second.header.created_ns != created_ns) return nullptr;
    return &it->second;
  }

  void load_records() {
    scan(Family::data, [&](std::string_view id, std::string_view value) {
      ++report_.entries;
      const auto key = decode_id(id);
      if (!key) {
        problem(fmt::format("data: undecodable id '{}'", printable(id)));
        fix_.del(db_.family(Family::data), id);
        return;
      }
      try {
        RecordHeader header = decode_record(value).header;
        if (visibility_.is_erased(header)) {
          // Erased by erase_by_tags, waiting for the purge: not an entry, and its index
          // entries are expected.
          erased_.emplace(std::string(id), header.created_ns);
          return;
        }
        records_.emplace(std::string(id), LiveRecord{std::move(header), *key});
      } catch (const CorruptionError& e) {
        // Unreadable: repair removes it (its index entries then show as stale and go too).
        problem(fmt::format("data: entry '{}': {}", printable(id), e.what()));
        fix_.del(db_.family(Family::data), id);
      }
    });
  }

  // A stale index entry is fine when it has expired (the filter dropped its entry) or belongs
  // to an erased record waiting for the purge.
  void stale_index(Family family, std::string_view key, std::optional<std::int64_t> expires_ns,
                   std::string_view id, std::int64_t created_ns) {
    if (expired(expires_ns)) return;
    const auto erased = erased_.find(std::string(id));
    if (erased != erased_.end() && erased->second == created_ns) return;
    problem(fmt::format("{}: entry for '{}' points at no live entry of its generation",
                        family_name(family), printable(id_full_key(id))));
    fix_.del(db_.family(family), key);
  }

  void check_group_index(Family family) {
    scan(family, [&](std::string_view key, std::string_view value) {
      ++report_.index_entries;
      const std::string_view id = group_index_id(key);
      const std::string_view group = group_index_group(key);
      const auto index = decode_index_value(value);
      if (id.empty() || !index) {
        problem(fmt::format("{}: undecodable index entry '{}'", family_name(family), printable(key)));
        fix_.del(db_.family(family), key);
        return;
      }
      const LiveRecord* record = live(id, index->created_ns);
      const bool belongs =
          record && (family == Family::tags
                         ? std::find(record->header.tags.begin(), record->header.tags.end(),
                                     group) != record->header.tags.end()
                         : record->key.ns == group);
      if (!belongs) {
        stale_index(family, key, index->expires_ns, id, index->created_ns);
        return;
      }
      if (index->expires_ns != record->header.expires_ns) {
        problem(fmt::format("{}: expiry of '{}' disagrees with its entry", family_name(family),
                            printable(id_full_key(id))));
        fix_.put(db_.family(family), key,
                 encode_index_value(record->header.created_ns, record->header.expires_ns));
      }
      indexed_[std::string(id)] += 1;
    });
  }

  void check_created_index() {
    scan(Family::created, [&](std::string_view key, std::string_view value) {
      ++report_.index_entries;
      const std::string_view id = created_index_id(key);
      const auto index = decode_index_value(value);
      if (id.empty() || !index) {
        problem(fmt::format("created: undecodable index entry '{}'", printable(key)));
        fix_.del(db_.family(Family::created), key);
        return;
      }
      if (live(id, index->created_ns) == nullptr) {
        stale_index(Family::created, key, index->expires_ns, id, index->created_ns);
        return;
      }
      created_seen_.emplace(std::string(id));
    });
  }

  void check_ledger() {
    scan(Family::expiry, [&](std::string_view key, std::string_view) {
      ++report_.index_entries;
      const auto ledger = decode_expiry_index_key(key);
      if (!ledger) {
        problem(fmt::format("expiry: undecodable ledger entry '{}'", printable(key)));
        fix_.del(db_.family(Family::expiry), key);
        return;
      }
      if (visibility_.below_watermark(ledger->expires_ns)) {
        // Cleanups start at the watermark and would never settle it.
        problem(fmt::format("expiry: ledger entry for '{}' expires below the cleanup watermark",
                            printable(id_full_key(ledger->id))));
        fix_.del(db_.family(Family::expiry), key);
        return;
      }
      const LiveRecord* record = live(ledger->id, ledger->created_ns);
      if (record == nullptr) {
        // An entry the filter dropped, or one erased by a tag epoch after it expired: still
        // counted until cleanup settles it. A ledger entry that has not expired yet cannot
        // belong to either (erase_by_tags deletes those), so it is a leftover.
        if (expired(ledger->expires_ns)) {
          ++unsettled_;
        } else {
          problem(fmt::format("expiry: ledger entry for '{}' has no live entry",
                              printable(id_full_key(ledger->id))));
          fix_.del(db_.family(Family::expiry), key);
        }
        return;
      }
      if (record->header.expires_ns != ledger->expires_ns) {
        problem(fmt::format("expiry: ledger entry for '{}' has another expiry than its entry",
                            printable(id_full_key(ledger->id))));
        fix_.del(db_.family(Family::expiry), key);
        return;
      }
      ledger_seen_.emplace(std::string(ledger->id));
    });
  }

  void check_missing_index_entries() {
    for (const auto& [id, record] : records_) {
      const RecordHeader& header = record.header;
      if (expired(header.expires_ns)) {
        // The filter drops the index entries of an expired entry family by family, so any of
        // them may be gone. Without its ledger entry, the entry was settled by
        // cleanup_expired(): no longer counted, it waits for the filter.
        if (!ledger_seen_.contains(id)) ++settled_;
        continue;
      }
      const std::size_t wanted = header.tags.size() + (record.key.ns ? 1 : 0);
      const auto found = indexed_.find(id);
      const std::size_t have = found == indexed_.end() ? 0 : found->second;
      const std::string index_value = encode_index_value(header.created_ns, header.expires_ns);
      if (have != wanted) {
        problem(fmt::format("'{}' is in {} of its {} tag/namespace indexes",
                            printable(id_full_key(id)), have, wanted));
        for (const std::string& tag : header.tags) {
          fix_.put(db_.family(Family::tags), group_index_key(tag, id), index_value);
        }
        if (record.key.ns) {
          fix_.put(db_.family(Family::namespaces), group_index_key(*record.key.ns, id), index_value);
        }
      }
      if (!created_seen_.contains(id)) {
        problem(fmt::format("'{}' is missing from the created index", printable(id_full_key(id))));
        fix_.put(db_.family(Family::created), created_index_key(header.created_ns, id), index_value);
      }
      if (header.expires_ns && !ledger_seen_.contains(id)) {
        problem(fmt::format("'{}' is missing from the expiry ledger", printable(id_full_key(id))));
        fix_.put(db_.family(Family::expiry),
                 expiry_index_key(*header.expires_ns, header.created_ns, id), std::string_view());
      }
    }
  }

  void check_count() {
    std::string value;
    const rocksdb::Status status =
        db_.db().Get(read_, db_.family(Family::meta), std::string(kMetaEntryCount), &value);
    if (status.IsNotFound()) {
      report_.stored_count = 0;
    } else {
      check(status, "reading the entry count");
      const auto decoded = decode_counter(value);
      if (!decoded) problem("meta: the entry count is undecodable");
      report_.stored_count = decoded.value_or(-1);
    }
    report_.expected_count = static_cast<std::int64_t>(records_.size()) - settled_ + unsettled_;
    if (report_.stored_count != report_.expected_count) {
      problem(fmt::format("meta: entry count is {} but the cache holds {}", report_.stored_count,
                          report_.expected_count));
    }
  }

  Database& db_;
  Visibility visibility_;
  bool repair_;
  const std::function<void(std::uint64_t)>& progress_;
  const rocksdb::Snapshot* snapshot_ = nullptr;
  rocksdb::ReadOptions read_;
  std::int64_t now_ns_;
  std::uint64_t read_keys_ = 0;
  std::unordered_map<std::string, LiveRecord> records_;
  std::unordered_map<std::string, std::size_t> indexed_;
  std::unordered_set<std::string> created_seen_;
  std::unordered_set<std::string> ledger_seen_;
  std::int64_t unsettled_ = 0;  // ledger entries of entries the filter dropped
  std::int64_t settled_ = 0;    // stored entries whose ledger entry cleanup settled
  std::unordered_map<std::string, std::int64_t> erased_;  // id -> created_ns, see TagEpochs
  Batch fix_;
  VerifyReport report_;
};

}  // namespace

VerifyReport verify_database(Database& database, bool repair, TimePoint now,
                             const std::function<void(std::uint64_t)>& progress) {
  return Verifier(database, repair, now, progress).run();
}

}  // namespace portico::cache::internal
