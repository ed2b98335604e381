// The identity of a stored entry: the pair (ns, key), never full_key(), because
// (ns "a:b", key "c"), (ns "a", key "b:c") and (key "a:b:c") share a full_key but are three
// distinct entries.
#pragma once

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

// A borrowed form for lookups, so that finding an entry copies no strings.
struct IdentityView {
  std::string_view key{};
  std::optional<std::string_view> ns{};

  IdentityView(std::string_view key_part, std::optional<std::string_view> ns_part)
      : key(key_part), ns(ns_part) {}
  IdentityView(const EntryIdentity& identity)  // NOLINT: views convert implicitly
      : key(identity.key), ns(identity.ns ? std::optional<std::string_view>(*identity.ns)
                                          : std::nullopt) {}
  IdentityView(const CacheKey& cache_key)  // NOLINT: views convert implicitly
      : key(cache_key.key), ns(cache_key.ns ? std::optional<std::string_view>(*cache_key.ns)
                                            : std::nullopt) {}

  friend bool operator==(const IdentityView& a, const IdentityView& b) {
    return a.key == b.key && a.ns == b.ns;
  }
};

// Transparent: a map keyed by EntryIdentity can be searched with an IdentityView.
struct IdentityHash {
  using is_transparent = void;

  std::size_t operator()(IdentityView identity) const {
    const std::size_t key_hash = std::hash<std::string_view>{}(identity.key);
    if (!identity.ns) return key_hash;
    // Mix the namespace in asymmetrically so that swapping key and namespace changes the hash.
    const std::size_t ns_hash = std::hash<std::string_view>{}(*identity.ns);
    return key_hash ^ (ns_hash + 0x9e3779b97f4a7c15ULL + (key_hash << 6) + (key_hash >> 2));
  }
};

struct IdentityEqual {
  using is_transparent = void;

  bool operator()(IdentityView a, IdentityView b) const { return a == b; }
};

}  // namespace portico::cache::internal
