#include <portico/cache/key.hpp>

#include <stdexcept>

#include <xxhash.h>

#include "core/limit_checks.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

namespace detail {
std::string function_call_key(std::string_view function, std::string_view args_msgpack) {
  if (function.empty()) {
    throw std::invalid_argument("from_function_call: the function name must not be empty");
  }
  const XXH128_hash_t hash = XXH3_128bits(args_msgpack.data(), args_msgpack.size());
  // Canonical form: big-endian, high 64 bits first, so the text is the same on every machine.
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, hash);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string key;
  key.reserve(function.size() + 1 + 32);
  key.append(function);
  key.push_back(':');
  for (unsigned char byte : canonical.digest) {
    key.push_back(kHex[byte >> 4]);
    key.push_back(kHex[byte & 0xf]);
  }
  return key;
}
}  // namespace detail

std::string CacheKey::full_key() const {
  if (!ns) return key;
  std::string full;
  full.reserve(ns->size() + 1 + key.size());
  full.append(*ns).push_back(':');
  full.append(key);
  return full;
}

void CacheKey::validate() const {
  if (key.empty()) throw std::invalid_argument("cache key must not be empty");
  detail::validate_key_length(key);
  if (ns && ns->empty()) {
    throw std::invalid_argument("cache namespace must not be empty (omit it instead)");
  }
  if (ns) detail::validate_namespace_length(*ns);
  detail::validate_tags(tags);
}

PORTICO_CACHE_END_NAMESPACE
