// Adapters store values as the msgpack bytes Value produced, so reading one back needs no
// second validation: ValueAccess adopts such bytes directly.
#pragma once

#include <string>
#include <string_view>

#include <portico/cache/value.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE
namespace detail {

struct ValueAccess {
  // REQUIRES: `bytes` is one complete msgpack document (as written from a Value).
  static Value adopt(std::string_view bytes) {
    Value value;
    value.bytes_.assign(bytes.data(), bytes.size());
    return value;
  }
};

}  // namespace detail
PORTICO_CACHE_END_NAMESPACE
