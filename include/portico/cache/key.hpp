// CacheKey: the identity of a cache entry.
//
// Identity is the pair (ns, key). full_key() ("ns:key", or "key" without a namespace) is what
// patterns match against, but two keys with equal full_key and different (ns, key) are
// distinct entries: a crafted key can never reach another namespace's entry.
// Tags group entries for invalidation and are not part of identity.
//
// REQUIRES (checked by every adapter, std::invalid_argument otherwise): key non-empty;
// ns, when present, non-empty; tags non-empty strings; no longer than the limits of
// <portico/cache/limits.hpp> (kMaxKeyBytes, kMaxNamespaceBytes, kMaxTagBytes, kMaxTags).
//
// Thread-safety: a plain value type.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <portico/cache/export.hpp>
#include <portico/cache/value.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

namespace detail {
// "<function>:<32 lowercase hex of XXH3-128(args_msgpack)>"
PORTICO_CACHE_API std::string function_call_key(std::string_view function,
                                                std::string_view args_msgpack);
}  // namespace detail

struct PORTICO_CACHE_API CacheKey {
  std::string key{};
  std::optional<std::string> ns{};
  std::vector<std::string> tags{};

  std::string full_key() const;

  // A stable key for a call of `function` with `args`: the hash covers the msgpack encoding
  // of the arguments as one array, so equal arguments (123, 123L and 123u; "x",
  // std::string("x") and std::string_view("x")) give equal keys on every run and machine.
  template <class... Args>
  static CacheKey from_function_call(std::string_view function, const std::tuple<Args...>& args,
                                     std::optional<std::string> ns = {},
                                     std::vector<std::string> tags = {}) {
    msgpack::sbuffer buffer;
    msgpack::pack(buffer, args);
    return CacheKey{.key = detail::function_call_key(function, {buffer.data(), buffer.size()}),
                    .ns = std::move(ns),
                    .tags = std::move(tags)};
  }

  // Throws std::invalid_argument when the key breaks the REQUIRES above.
  void validate() const;

  // Identity comparison: tags are ignored.
  friend bool operator==(const CacheKey& a, const CacheKey& b) {
    return a.key == b.key && a.ns == b.ns;
  }
};

PORTICO_CACHE_END_NAMESPACE

template <>
struct std::hash<portico::cache::CacheKey> {
  std::size_t operator()(const portico::cache::CacheKey& k) const noexcept {
    std::size_t h = std::hash<std::string>{}(k.key);
    if (k.ns) h ^= std::hash<std::string>{}(*k.ns) * 31 + 0x9e3779b97f4a7c15ULL;
    return h;
  }
};
