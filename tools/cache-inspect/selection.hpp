// Which entries a listing covers (ls, rm --dry-run), and how one entry is shown.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <portico/cache/pattern.hpp>

#include "rocksdb/inspect.hpp"
#include "output.hpp"

namespace portico::cache::inspect {

enum class ExpiryFilter { live, expired, all };

struct Selection {
  std::optional<std::string> ns{};      // exact namespace
  std::optional<std::string> tag{};     // carries this tag (through the tags index)
  std::optional<KeyPattern> pattern{};  // glob on full_key; its literal prefix bounds the scan
  ExpiryFilter expiry = ExpiryFilter::live;
  std::optional<std::string> after{};   // full_key cursor
};

// Visits the selected entries in stored (full_key) order, reading only the range the
// namespace and the pattern's literal prefix allow. `visit` returns false to stop.
void select_entries(internal::Database& db, const Selection& selection, std::int64_t now_ns,
                    const internal::EntryVisitor& visit);

// One entry for --json (one object per line) and for a table row.
Json entry_json(const internal::StoredEntry& entry, std::int64_t now_ns);
std::vector<std::string> entry_header();
std::vector<Table::Cell> entry_row(const internal::StoredEntry& entry, std::int64_t now_ns);

}  // namespace portico::cache::inspect
