#include "service/url.hpp"

#include <algorithm>
#include <charconv>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

namespace portico::cache::internal {

namespace {

[[noreturn]] void bad(std::string message) {
  throw std::invalid_argument("cache URL: " + std::move(message));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// ASCII only, whatever the locale (RFC 3986: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )).
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool is_scheme_char(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::string percent_decode(std::string_view text, std::string_view what) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    const int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
    const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
    if (high < 0 || low < 0) {
      bad(fmt::format("bad percent escape in {}: '%' must be followed by two hex digits", what));
    }
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  if (out.find('\0') != std::string::npos) bad(fmt::format("{} contains a NUL byte", what));
  return out;
}

CacheUrl parse_cache_url(std::string_view url) {
  const std::size_t separator = url.find("://");
  if (separator == std::string_view::npos || separator == 0) {
    bad("expected scheme://..., e.g. memory:// or rocksdb:///var/cache/app");
  }
  CacheUrl parsed;
  const std::string_view scheme = url.substr(0, separator);
  if (!is_alpha(scheme[0]) ||
      !std::all_of(scheme.begin(), scheme.end(), is_scheme_char)) {
    bad(fmt::format("malformed scheme '{}'", scheme));
  }
  parsed.scheme.reserve(scheme.size());
  for (char c : scheme) parsed.scheme.push_back(to_lower(c));

  std::string_view rest = url.substr(separator + 3);
  if (rest.find('#') != std::string_view::npos) bad("fragments ('#') are not supported");
  const std::size_t question = rest.find('?');
  const std::string_view location = rest.substr(0, question);
  parsed.location = percent_decode(location, "the location");
  if (question == std::string_view::npos) return parsed;

  const std::string_view query = rest.substr(question + 1);
  if (query.empty()) return parsed;  // "memory://?" is just memory://
  for (std::size_t start = 0; start <= query.size();) {
    const std::size_t amp = std::min(query.find('&', start), query.size());
    const std::string_view pair = query.substr(start, amp - start);
    start = amp + 1;
    if (pair.empty()) bad("empty parameter (stray '&')");
    const std::size_t eq = pair.find('=');
    if (eq == std::string_view::npos) {
      bad(fmt::format("parameter '{}' needs a value (name=value)", pair));
    }
    std::string name = percent_decode(pair.substr(0, eq), "a parameter name");
    if (name.empty()) bad("parameter without a name");
    std::string value =
        percent_decode(pair.substr(eq + 1), fmt::format("the value of parameter '{}'", name));
    const bool repeated = std::any_of(parsed.params.begin(), parsed.params.end(),
                                      [&](const auto& p) { return p.first == name; });
    if (repeated) bad(fmt::format("parameter '{}' is given more than once", name));
    parsed.params.emplace_back(std::move(name), std::move(value));
  }
  return parsed;
}

UrlParams::UrlParams(const CacheUrl& url) : scheme_(url.scheme), params_(url.params) {}

std::optional<std::string> UrlParams::take(std::string_view name) {
  auto it = std::find_if(params_.begin(), params_.end(),
                         [&](const auto& p) { return p.first == name; });
  if (it == params_.end()) return std::nullopt;
  std::string value = std::move(it->second);
  params_.erase(it);
  return value;
}

std::optional<std::size_t> UrlParams::take_size(std::string_view name, bool positive) {
  std::optional<std::string> text = take(name);
  if (!text) return std::nullopt;
  std::size_t value = 0;
  const char* end = text->data() + text->size();
  const auto [ptr, ec] = std::from_chars(text->data(), end, value);
  if (text->empty() || ec == std::errc::invalid_argument || ptr != end) {
    bad(fmt::format("{}: {} must be a whole number, got '{}'", scheme_, name, *text));
  }
  if (ec == std::errc::result_out_of_range) {
    bad(fmt::format("{}: {} is out of range: '{}'", scheme_, name, *text));
  }
  if (positive && value == 0) bad(fmt::format("{}: {} must be positive, got 0", scheme_, name));
  return value;
}

std::optional<bool> UrlParams::take_bool(std::string_view name) {
  std::optional<std::string> text = take(name);
  if (!text) return std::nullopt;
  if (*text == "1" || *text == "true") return true;
  if (*text == "0" || *text == "false") return false;
  bad(fmt::format("{}: {} must be 1, 0, true or false, got '{}'", scheme_, name, *text));
}

void UrlParams::reject_unknown() const {
  if (!params_.empty()) {
    bad(fmt::format("{}: unknown parameter '{}'", scheme_, params_.front().first));
  }
}

}  // namespace portico::cache::internal
