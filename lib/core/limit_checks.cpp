#include "core/limit_checks.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include <portico/cache/limits.hpp>

#include "core/document_scan.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE
namespace detail {

namespace {

void check_size(std::string_view what, std::size_t size, std::string_view limit_name,
                std::size_t limit) {
  if (size > limit) {
    throw std::invalid_argument(
        fmt::format("{} is {} bytes, more than {} ({})", what, size, limit_name, limit));
  }
}

}  // namespace

void validate_key_length(std::string_view key) {
  check_size("cache key", key.size(), "kMaxKeyBytes", kMaxKeyBytes);
}

void validate_namespace_length(std::string_view ns) {
  check_size("cache namespace", ns.size(), "kMaxNamespaceBytes", kMaxNamespaceBytes);
}

void validate_tags(const std::vector<std::string>& tags) {
  if (tags.size() > kMaxTags) {
    throw std::invalid_argument(
        fmt::format("{} cache tags given, more than kMaxTags ({})", tags.size(), kMaxTags));
  }
  for (const std::string& tag : tags) {
    if (tag.empty()) throw std::invalid_argument("cache tags must not be empty");
    check_size("a cache tag", tag.size(), "kMaxTagBytes", kMaxTagBytes);
  }
}

void validate_value(const Value& value) {
  check_size("cache value (msgpack)", value.size_bytes(), "kMaxValueBytes", kMaxValueBytes);
  // A Value built from a C++ object can nest arbitrarily (a msgpack::object, a recursive
  // type); what nests deeper than the limit could never be read back.
  const DocumentScan scan = scan_document(value.msgpack());
  if (scan.problem != DocumentProblem::none) {
    throw std::invalid_argument(
        fmt::format("cache value is refused: {}", describe(scan, value.msgpack())));
  }
}

}  // namespace detail
PORTICO_CACHE_END_NAMESPACE
