#include "core/argument_checks.hpp"

#include <stdexcept>

#include <fmt/format.h>

namespace portico::cache::internal {

void check_ttl(const std::optional<Ttl>& ttl, std::string_view what) {
  if (ttl && ttl->count() <= 0) {
    throw std::invalid_argument(
        fmt::format("{} must be positive, got {} microseconds", what, ttl->count()));
  }
}

}  // namespace portico::cache::internal
