// Reads of the engine's column families: batched point reads (MultiGet) and ordered range
// scans. Every read of more than one key in lib/rocksdb/ goes through these two, so status
// checks and iterator bounds are written once.
//
// Thread-safety: as the Database: any thread, no shared state.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include <portico/cache/errors.hpp>
#include <rocksdb/iterator.h>
#include <rocksdb/slice.h>

#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"

namespace portico::cache::internal {

inline rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

// The results of one MultiGet, in the order of the keys asked for. A status is ok (value in
// `values`), NotFound, or a failure the caller passes to check().
struct MultiGetResult {
  std::vector<rocksdb::PinnableSlice> values;
  std::vector<rocksdb::Status> statuses;

  // True when key i exists; false when it does not; throws for a failed read.
  bool present(std::size_t i, std::string_view what) const;
  std::string_view value(std::size_t i) const { return values[i].ToStringView(); }
  // Value i, or nullopt when key i does not exist; throws for a failed read.
  std::optional<std::string_view> find(std::size_t i, std::string_view what) const {
    if (!present(i, what)) return std::nullopt;
    return value(i);
  }
};

// Reads `key` of `family` into `value`: false when it does not exist; throws for a failed read.
bool read_one(Database& db, Family family, std::string_view key, rocksdb::PinnableSlice& value,
              std::string_view what);

// One MultiGet of `keys` in `family`.
MultiGetResult read_many(Database& db, Family family, const std::vector<rocksdb::Slice>& keys,
                         const rocksdb::ReadOptions& read = {});

template <class Strings>
std::vector<rocksdb::Slice> slices_of(const Strings& strings) {
  std::vector<rocksdb::Slice> out;
  out.reserve(strings.size());
  for (const auto& s : strings) out.push_back(slice(s));
  return out;
}

// Visits the keys of `family` from `seek` (empty: the first key) up to, not including,
// `upper` (empty: no bound), in order. `visit(key, value)` returns void, or bool where false
// stops the scan.
template <class Visit>
void scan_range(Database& db, Family family, std::string_view seek, std::string_view upper,
                Visit&& visit, rocksdb::ReadOptions read = {}) {
  const rocksdb::Slice upper_slice = slice(upper);
  if (!upper.empty()) read.iterate_upper_bound = &upper_slice;
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(read, db.family(family)));
  seek.empty() ? it->SeekToFirst() : it->Seek(slice(seek));
  for (; it->Valid(); it->Next()) {
    if constexpr (std::is_void_v<decltype(visit(it->key().ToStringView(),
                                                it->value().ToStringView()))>) {
      visit(it->key().ToStringView(), it->value().ToStringView());
    } else {
      if (!visit(it->key().ToStringView(), it->value().ToStringView())) return;
    }
  }
  check(it->status(), fmt::format("scanning {}", family_name(family)));
}

// The keys of `family` that start with `prefix`, in order.
template <class Visit>
void scan_prefix(Database& db, Family family, std::string_view prefix, Visit&& visit,
                 const rocksdb::ReadOptions& read = {}) {
  const std::string upper = prefix_successor(prefix);
  scan_range(db, family, prefix, upper, std::forward<Visit>(visit), read);
}

// Visits the index entries of `group` in `family` (tags or namespaces), in id order, as
// `visit(index_key, id, index_value)`. Throws CorruptionError on a damaged index entry.
template <class Visit>
void scan_group(Database& db, Family family, std::string_view group, Visit&& visit) {
  scan_prefix(db, family, group_prefix(group),
              [&](std::string_view index_key, std::string_view index_value) {
                const std::optional<IndexValue> value = decode_index_value(index_value);
                const std::string_view id = group_index_id(index_key);
                if (!value || id.empty()) {
                  throw CorruptionError(
                      fmt::format("damaged {} index entry", family_name(family)));
                }
                visit(index_key, id, *value);
              });
}

}  // namespace portico::cache::internal
