#include <portico/cache/pattern.hpp>

#include <stdexcept>
#include <variant>

#include <fmt/format.h>
#include <re2/re2.h>

#include "pattern/glob.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

namespace {

// Bounds the memory RE2 may use for one pattern; a pattern needing more is rejected as
// malformed rather than allowed to degrade.
constexpr int64_t kRegexMaxMemory = 8 << 20;

RE2::Options regex_options() {
  RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(kRegexMaxMemory);
  options.set_dot_nl(true);  // keys are bytes, a newline is an ordinary byte
  // Keys are bytes, not necessarily UTF-8: in UTF-8 mode RE2 never matches a key holding an
  // invalid sequence, so `.*` would skip keys that the glob `*` finds. In Latin-1 mode every
  // byte is one character; a UTF-8 literal in the pattern is then the same byte sequence and
  // still matches, but `.` and classes such as [é] stand for single bytes.
  options.set_encoding(RE2::Options::EncodingLatin1);
  return options;
}

std::string common_prefix(const std::string& a, const std::string& b) {
  std::size_t n = 0;
  while (n < a.size() && n < b.size() && a[n] == b[n]) ++n;
  return a.substr(0, n);
}

// A prefix every full match of `regex` (compiled from `pattern`) starts with.
std::string literal_prefix_of(std::string_view pattern, const RE2& regex) {
  // PossibleMatchRange is only meaningful for a pattern anchored at the start, which a full
  // match is; compile the anchored form just to learn the range every match falls into.
  const RE2 anchored(fmt::format("^(?:{})", pattern), regex_options());
  std::string min;
  std::string max;
  if (!anchored.ok() || !anchored.PossibleMatchRange(&min, &max, 256)) return {};
  std::string prefix = common_prefix(min, max);
  // When no string bounds the matches from above (any byte may follow, 0xff included, as in
  // "session:.*"), RE2 reports as max the successor of the literal prefix, its last byte
  // incremented: min "session:", max "session;". A match s with min <= s <= max that does
  // not start with min's next byte can then only be max itself; if max does not match, that
  // byte belongs to the prefix.
  if (max.size() == prefix.size() + 1 && min.size() > prefix.size()) {
    const auto next = static_cast<unsigned char>(min[prefix.size()]);
    if (next != 0xff && static_cast<unsigned char>(max.back()) == next + 1 &&
        !RE2::FullMatch(max, regex)) {
      prefix.push_back(min[prefix.size()]);
    }
  }
  return prefix;
}

}  // namespace

class KeyPattern::Impl {
 public:
  Impl(std::string source, internal::Glob glob)
      : source_(std::move(source)), prefix_(glob.literal_prefix()), matcher_(std::move(glob)) {}
  Impl(std::string source, std::unique_ptr<RE2> regex, std::string prefix)
      : source_(std::move(source)), prefix_(std::move(prefix)), matcher_(std::move(regex)) {}

  bool matches(std::string_view key) const {
    if (const auto* glob = std::get_if<internal::Glob>(&matcher_)) return glob->matches(key);
    return RE2::FullMatch(key, *std::get<std::unique_ptr<RE2>>(matcher_));
  }
  const std::string& source() const { return source_; }
  const std::string& prefix() const { return prefix_; }

 private:
  std::string source_;
  std::string prefix_;
  std::variant<internal::Glob, std::unique_ptr<RE2>> matcher_;
};

KeyPattern::KeyPattern(std::unique_ptr<const Impl> impl) : impl_(std::move(impl)) {}
KeyPattern::KeyPattern(KeyPattern&&) noexcept = default;
KeyPattern& KeyPattern::operator=(KeyPattern&&) noexcept = default;
KeyPattern::~KeyPattern() = default;

KeyPattern KeyPattern::glob(std::string_view pattern) {
  return KeyPattern(std::make_unique<const Impl>(std::string(pattern), internal::Glob(pattern)));
}

KeyPattern KeyPattern::regex(std::string_view pattern) {
  auto compiled = std::make_unique<RE2>(re2::StringPiece(pattern.data(), pattern.size()),
                                        regex_options());
  if (!compiled->ok()) {
    throw std::invalid_argument(
        fmt::format("malformed regular expression '{}': {}", pattern, compiled->error()));
  }
  std::string prefix = literal_prefix_of(pattern, *compiled);
  return KeyPattern(
      std::make_unique<const Impl>(std::string(pattern), std::move(compiled), std::move(prefix)));
}

bool KeyPattern::matches(std::string_view full_key) const { return impl_->matches(full_key); }
const std::string& KeyPattern::literal_prefix() const { return impl_->prefix(); }
const std::string& KeyPattern::source() const { return impl_->source(); }

PORTICO_CACHE_END_NAMESPACE
