// The cache URL syntax of open_cache: scheme://location?name=value&name=value
//
// Deliberately small (no authority/userinfo/port split): every backend open_cache builds in
// reads its location as one string (a path, or nothing). Percent escapes (%41) are decoded in
// the location and in parameter names and values; '+' stays '+'. Malformed input is a
// std::invalid_argument naming the problem.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portico::cache::internal {

struct CacheUrl {
  std::string scheme;    // lower-case
  std::string location;  // decoded text between "://" and '?'
  std::vector<std::pair<std::string, std::string>> params;  // decoded, in order, unique names
};

// Throws std::invalid_argument for a missing or malformed scheme, a fragment, a bad percent
// escape, a NUL byte, a parameter without '=' or a name, or a repeated parameter.
CacheUrl parse_cache_url(std::string_view url);

// Throws std::invalid_argument (mentioning `what`) for a truncated or non-hex escape.
std::string percent_decode(std::string_view text, std::string_view what);

// Hands out a URL's parameters one by one, converting values, so that whatever is left at the
// end is unknown to the backend.
class UrlParams {
 public:
  explicit UrlParams(const CacheUrl& url);

  std::optional<std::string> take(std::string_view name);
  // Unsigned decimal; `positive` rejects 0.
  std::optional<std::size_t> take_size(std::string_view name, bool positive);
  // 1/0/true/false.
  std::optional<bool> take_bool(std::string_view name);
  // Throws std::invalid_argument naming the first parameter nobody took.
  void reject_unknown() const;

 private:
  std::string scheme_;
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace portico::cache::internal
