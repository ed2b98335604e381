// Base64 (RFC 4648, padded) for showing binary bytes in text formats.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace portico::cache::internal {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid padded base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace portico::cache::internal
