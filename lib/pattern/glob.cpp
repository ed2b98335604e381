#include "pattern/glob.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace portico::cache::internal {

namespace {

unsigned char byte_at(std::string_view s, std::size_t i) { return static_cast<unsigned char>(s[i]); }

[[noreturn]] void malformed(std::string_view pattern, std::string_view why) {
  throw std::invalid_argument(fmt::format("malformed glob pattern '{}': {}", pattern, why));
}

}  // namespace

Glob::Glob(std::string_view pattern) {
  bool prefix_open = true;  // still inside the leading run of literal bytes
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    Token token;
    const char c = pattern[i];
    if (c == '*') {
      token.kind = Token::Kind::any_run;
      // Consecutive stars mean the same as one.
      if (!tokens_.empty() && tokens_.back().kind == Token::Kind::any_run) continue;
    } else if (c == '?') {
      token.bytes.set();
    } else if (c == '\\') {
      if (i + 1 == pattern.size()) malformed(pattern, "trailing unescaped '\\'");
      token.bytes.set(byte_at(pattern, ++i));
    } else if (c == '[') {
      std::size_t j = i + 1;
      const bool negate = j < pattern.size() && pattern[j] == '^';
      if (negate) ++j;
      bool closed = false;
      for (; j < pattern.size(); ++j) {
        if (pattern[j] == ']') {
          closed = true;
          break;
        }
        unsigned char low = byte_at(pattern, j);
        if (pattern[j] == '\\') {
          if (j + 1 == pattern.size()) break;
          low = byte_at(pattern, ++j);
        }
        unsigned char high = low;
        if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
          j += 2;
          if (pattern[j] == '\\') {
            if (j + 1 == pattern.size()) break;
            ++j;
          }
          high = byte_at(pattern, j);
          if (low > high) std::swap(low, high);  // Redis accepts reversed ranges
        }
        for (unsigned b = low; b <= high; ++b) token.bytes.set(b);
      }
      if (!closed) malformed(pattern, "unclosed '['");
      if (negate) token.bytes.flip();
      i = j;
    } else {
      token.bytes.set(static_cast<unsigned char>(c));
    }

    if (prefix_open && token.kind == Token::Kind::byte_set && token.bytes.count() == 1) {
      for (unsigned b = 0; b < 256; ++b) {
        if (token.bytes.test(b)) literal_prefix_.push_back(static_cast<char>(b));
      }
    } else {
      prefix_open = false;
    }
    tokens_.push_back(token);
  }
}

bool Glob::matches(std::string_view text) const {
  // Greedy matching that remembers only the last `*`: when a later token fails, the last star
  // absorbs one more byte. Earlier stars never need revisiting, which keeps this quadratic.
  std::size_t t = 0;
  std::size_t s = 0;
  std::size_t star = std::string::npos;
  std::size_t star_text = 0;
  while (s < text.size()) {
    if (t < tokens_.size() && tokens_[t].kind == Token::Kind::any_run) {
      star = t++;
      star_text = s;
    } else if (t < tokens_.size() && tokens_[t].bytes.test(byte_at(text, s))) {
      ++t;
      ++s;
    } else if (star != std::string::npos) {
      t = star + 1;
      s = ++star_text;
    } else {
      return false;
    }
  }
  while (t < tokens_.size() && tokens_[t].kind == Token::Kind::any_run) ++t;
  return t == tokens_.size();
}

}  // namespace portico::cache::internal
