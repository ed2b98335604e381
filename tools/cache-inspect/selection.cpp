#include "selection.hpp"

#include <fmt/format.h>

namespace portico::cache::inspect {

namespace {

// The full_key prefix every selected entry has; nullopt when the namespace and the pattern
// cannot both match (nothing is selected).
std::optional<std::string> scan_prefix(const Selection& selection) {
  std::string prefix;
  if (selection.ns) prefix = *selection.ns + ":";
  if (selection.pattern) {
    const std::string& literal = selection.pattern->literal_prefix();
    if (literal.starts_with(prefix)) {
      prefix = literal;
    } else if (!prefix.starts_with(literal)) {
      return std::nullopt;
    }
  }
  return prefix;
}

bool wanted(const Selection& selection, const internal::StoredEntry& entry, std::int64_t now_ns) {
  if (selection.ns && entry.key.ns != selection.ns) return false;
  if (selection.pattern && !selection.pattern->matches(entry.key.full_key())) return false;
  switch (selection.expiry) {
    case ExpiryFilter::live:
      return !entry.expired(now_ns);
    case ExpiryFilter::expired:
      return entry.expired(now_ns);
    case ExpiryFilter::all:
      break;
  }
  return true;
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) {
    if (!out.empty()) out += ",";
    out += printable(part);
  }
  return out;
}

}  // namespace

void select_entries(internal::Database& db, const Selection& selection, std::int64_t now_ns,
                    const internal::EntryVisitor& visit) {
  const std::optional<std::string> prefix = scan_prefix(selection);
  if (!prefix) return;
  const internal::EntryScan scan{.prefix = *prefix, .after = selection.after};
  const auto filtered = [&](internal::StoredEntry&& entry) {
    if (!wanted(selection, entry, now_ns)) return true;
    return visit(std::move(entry));
  };
  if (selection.tag) {
    internal::scan_tagged_entries(db, *selection.tag, scan, filtered);
  } else {
    internal::scan_entries(db, scan, filtered);
  }
}

Json entry_json(const internal::StoredEntry& entry, std::int64_t now_ns) {
  const std::optional<TimePoint> expires =
      entry.header.expires_ns ? std::optional(internal::from_nanos(*entry.header.expires_ns))
                              : std::nullopt;
  return Json{
      {"full_key", entry.key.full_key()},
      {"key", entry.key.key},
      {"ns", entry.key.ns ? Json(*entry.key.ns) : Json(nullptr)},
      {"tags", entry.key.tags},
      {"size", entry.value_msgpack.size()},
      {"created_at", format_time(internal::from_nanos(entry.header.created_ns))},
      {"expires_at", json_time(expires)},
      {"expired", entry.expired(now_ns)},
      {"hit_count", entry.header.hit_count},
      {"last_accessed", format_time(internal::from_nanos(entry.header.last_accessed_ns))},
  };
}

std::vector<std::string> entry_header() {
  return {"KEY", "NAMESPACE", "TAGS", "SIZE", "CREATED", "EXPIRES", "HITS"};
}

std::vector<Table::Cell> entry_row(const internal::StoredEntry& entry, std::int64_t now_ns) {
  const TimePoint now = internal::from_nanos(now_ns);
  Table::Cell expires{.text = "never"};
  if (entry.header.expires_ns) {
    const TimePoint at = internal::from_nanos(*entry.header.expires_ns);
    if (entry.expired(now_ns)) {
      expires = {.text = "expired " + relative_time(at, now),
                 .style = fmt::fg(fmt::terminal_color::yellow)};
    } else {
      expires.text = relative_time(at, now);
    }
  }
  return {
      {.text = printable(entry.key.full_key())},
      {.text = entry.key.ns ? printable(*entry.key.ns) : "-"},
      {.text = entry.key.tags.empty() ? "-" : join(entry.key.tags)},
      {.text = human_size(entry.value_msgpack.size())},
      {.text = format_time(internal::from_nanos(entry.header.created_ns), true)},
      std::move(expires),
      {.text = fmt::format("{}", entry.header.hit_count)},
  };
}

}  // namespace portico::cache::inspect
