// KeyPattern: a compiled glob (Redis syntax) or regular expression (RE2 syntax) that is
// matched against whole full_keys.
//
// Glob: `*` any run, `?` any one byte, `[abc]`, `[^a]`, `[a-z]` classes, `\` escapes the next
// byte; the whole key must match. An unclosed `[` or a trailing unescaped `\` is malformed.
// Regex: RE2 syntax (no backreferences or lookaround), full match, linear time in the key, so
// no input can make a match hang; a pattern whose automaton would need too much memory is
// rejected at compile time. Regexes match bytes (RE2's Latin-1 mode), like globs, so keys
// that are not valid UTF-8 match too: `.*` and the glob `*` find the same keys. A UTF-8
// literal in the pattern (`café:.*`) matches the same UTF-8 bytes in a key, but `.`, `?`
// and a class stand for one byte: `caf.` does not match "café" (two bytes after "caf"),
// `[é]` is a class of the two bytes 0xc3 and 0xa9, and (?i) folds case byte by byte as
// Latin-1 (reliable for ASCII letters only).
//
// literal_prefix() is a prefix every matching key starts with ("" when there is none), so an
// adapter whose keys are ordered can scan only that range.
//
// Thread-safety: immutable after construction; matches() may be called from many threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <portico/cache/export.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

class PORTICO_CACHE_API KeyPattern {
 public:
  // Both throw std::invalid_argument for a malformed pattern.
  static KeyPattern glob(std::string_view pattern);
  static KeyPattern regex(std::string_view pattern);

  KeyPattern(KeyPattern&&) noexcept;
  KeyPattern& operator=(KeyPattern&&) noexcept;
  ~KeyPattern();

  bool matches(std::string_view full_key) const;
  const std::string& literal_prefix() const;
  // The pattern as written.
  const std::string& source() const;

  class Impl;

 private:
  explicit KeyPattern(std::unique_ptr<const Impl> impl);
  std::unique_ptr<const Impl> impl_;
};

PORTICO_CACHE_END_NAMESPACE
