// The checks behind <portico/cache/limits.hpp>: each throws std::invalid_argument naming the
// limit that was passed. CacheKey::validate and CacheAdapter's public methods call them before
// anything is written, so every adapter rejects the same input the same way.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <portico/cache/export.hpp>
#include <portico/cache/value.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE
namespace detail {

void validate_key_length(std::string_view key);                // kMaxKeyBytes
void validate_namespace_length(std::string_view ns);           // kMaxNamespaceBytes
void validate_tags(const std::vector<std::string>& tags);      // non-empty, kMaxTagBytes, kMaxTags
void validate_value(const Value& value);                       // kMaxValueBytes, kMaxValueDepth

}  // namespace detail
PORTICO_CACHE_END_NAMESPACE
