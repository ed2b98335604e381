// Glob matching with Redis's syntax, compiled once and matched in O(pattern * key) time
// (no exponential backtracking, unlike a naive recursive matcher).
#pragma once

#include <bitset>
#include <string>
#include <string_view>
#include <vector>

namespace portico::cache::internal {

class Glob {
 public:
  // Throws std::invalid_argument for an unclosed `[` or a trailing unescaped `\`.
  explicit Glob(std::string_view pattern);

  bool matches(std::string_view text) const;
  // The bytes every match starts with.
  const std::string& literal_prefix() const { return literal_prefix_; }

 private:
  struct Token {
    enum class Kind { byte_set, any_run } kind = Kind::byte_set;
    std::bitset<256> bytes{};  // for byte_set: the bytes this position accepts
  };

  std::vector<Token> tokens_;
  std::string literal_prefix_;
};

}  // namespace portico::cache::internal
