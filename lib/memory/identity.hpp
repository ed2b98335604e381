// The identity of a stored entry: the pair (ns, key), never full_key(), because
// (ns "a:b", key "c"), (ns "a", key "b:c") and (key "a:b:c") share a full_key but are three
// distinct entries.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <portico/cache/key.hpp>

namespace portico::cache::internal {

// The owned form, stored as the key of a shard's entry map.
struct EntryIdentity {
  std::string key{};
  std::optional<std::string> ns{};
};

// The hash of an identity: the key's, with the namespace mixed in asymmetrically so that
// swapping key and namespace changes it.
inline std::size_t hash_identity(std::string_view key, std::optional<std::string_view> ns) {
  const std::size_t key_hash = std::hash<std::string_view>{}(key);
  if (!ns) return key_hash;
  const std::size_t ns_hash = std::hash<std::string_view>{}(*ns);
  return key_hash ^ (ns_hash + 0x9e3779b97f4a7c15ULL + (key_hash << 6) + (key_hash >> 2));
}

// A borrowed form, so that finding an entry copies no strings; a stored entry's identity is
// also this form, viewing bytes the entry's own block holds. It carries its hash, computed
// once: the adapter picks the shard by it and the shard's table probes by it.
struct IdentityView {
  std::string_view key{};
  std::optional<std::string_view> ns{};
  std::size_t hash = 0;

  IdentityView() = default;
  IdentityView(std::string_view key_part, std::optional<std::string_view> ns_part)
      : key(key_part), ns(ns_part), hash(hash_identity(key, ns)) {}
  // `known_hash` must be hash_identity(key_part, ns_part).
  IdentityView(std::string_view key_part, std::optional<std::string_view> ns_part,
               std::size_t known_hash)
      : key(key_part), ns(ns_part), hash(known_hash) {}
  IdentityView(const EntryIdentity& identity)  // NOLINT: views convert implicitly
      : IdentityView(identity.key, identity.ns ? std::optional<std::string_view>(*identity.ns)
                                               : std::nullopt) {}
  IdentityView(const CacheKey& cache_key)  // NOLINT: views convert implicitly
      : IdentityView(cache_key.key, cache_key.ns ? std::optional<std::string_view>(*cache_key.ns)
                                                 : std::nullopt) {}

  // Whether both name the same (ns, key) pair.
  friend bool operator==(const IdentityView& a, const IdentityView& b) {
    return a.hash == b.hash && a.key == b.key && a.ns == b.ns;
  }
};

// full_key() of an identity ("ns:key", or just the key) as up to three pieces, so that it can
// be read and compared without building the string.
class FullKeyView {
 public:
  explicit FullKeyView(const IdentityView& identity) {
    if (identity.ns) {
      pieces_ = {*identity.ns, std::string_view(":"), identity.key};
      count_ = 3;
    } else {
      pieces_[0] = identity.key;
    }
  }
  explicit FullKeyView(std::string_view text) { pieces_[0] = text; }

  std::size_t size() const {
    std::size_t total = 0;
    for (std::size_t i = 0; i < count_; ++i) total += pieces_[i].size();
    return total;
  }

  // Copies the first min(n, size()) bytes to `out` and returns how many that was.
  std::size_t copy_front(char* out, std::size_t n) const {
    std::size_t copied = 0;
    for (std::size_t i = 0; i < count_ && copied < n; ++i) {
      copied += pieces_[i].copy(out + copied, n - copied);
    }
    return copied;
  }

  bool starts_with(std::string_view prefix) const {
    for (std::size_t i = 0; i < count_ && !prefix.empty(); ++i) {
      const std::size_t n = std::min(prefix.size(), pieces_[i].size());
      if (pieces_[i].substr(0, n) != prefix.substr(0, n)) return false;
      prefix.remove_prefix(n);
    }
    return prefix.empty();
  }

  // Byte-wise, with bytes compared as unsigned char: the order of std::string::compare.
  friend int compare(FullKeyView a, FullKeyView b) {
    a.skip_empty();
    b.skip_empty();
    while (!a.done() && !b.done()) {
      const std::string_view x = a.pieces_[a.index_];
      const std::string_view y = b.pieces_[b.index_];
      const std::size_t n = std::min(x.size(), y.size());
      if (const int order = std::char_traits<char>::compare(x.data(), y.data(), n); order != 0) {
        return order;
      }
      a.advance(n);
      b.advance(n);
    }
    if (a.done()) return b.done() ? 0 : -1;
    return 1;
  }

 private:
  bool done() const { return index_ == count_; }
  void skip_empty() {
    while (index_ < count_ && pieces_[index_].empty()) ++index_;
  }
  void advance(std::size_t n) {
    pieces_[index_].remove_prefix(n);
    skip_empty();
  }

  std::array<std::string_view, 3> pieces_{};
  std::size_t count_ = 1;
  std::size_t index_ = 0;  // the piece compare() is in
};

}  // namespace portico::cache::internal
