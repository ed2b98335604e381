// Argument checks shared by the port (CacheAdapter's public methods) and the layers above it
// that must check before they start work the port would only see later.
#pragma once

#include <optional>
#include <string_view>

#include <portico/cache/time.hpp>

namespace portico::cache::internal {

// Throws std::invalid_argument naming `what` unless `ttl` is absent or positive.
void check_ttl(const std::optional<Ttl>& ttl, std::string_view what);

}  // namespace portico::cache::internal
