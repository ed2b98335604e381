// Value: one msgpack document, owned.
//
// Any msgpack-packable C++ value (numbers, bool, strings, std containers, std::optional,
// structs with MSGPACK_DEFINE, msgpack::type::nil_t) converts implicitly into a Value;
// as<T>() converts back and throws TypeError when the stored document has another shape.
// This is the one public header that includes msgpack, because the conversions are templates.
//
// Thread-safety: a Value is a plain value type; const access from many threads is safe.
#pragma once

#ifndef MSGPACK_NO_BOOST
#define MSGPACK_NO_BOOST
#endif

#include <concepts>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <msgpack.hpp>

#include <portico/cache/errors.hpp>
#include <portico/cache/export.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

class Value;

namespace detail {
template <class T>
concept NotValue = !std::same_as<std::remove_cvref_t<T>, Value>;

template <class T>
concept ViewType = std::same_as<std::remove_cvref_t<T>, std::string_view> ||
                   std::is_pointer_v<std::remove_cvref_t<T>>;

[[noreturn]] PORTICO_CACHE_API void throw_type_error(std::string_view wanted, const char* what);
[[noreturn]] PORTICO_CACHE_API void throw_corrupt_value(const char* what);
// Lets adapters adopt bytes they wrote themselves without decoding them again.
struct ValueAccess;
}  // namespace detail

class PORTICO_CACHE_API Value {
 public:
  // nil
  Value();
  // A moved-from Value is nil: every Value, even one left behind by a move, holds exactly one
  // msgpack document, so storing it can never write an empty record.
  Value(const Value&) = default;
  Value(Value&& other) noexcept : bytes_(std::exchange(other.bytes_, nil_bytes())) {}
  Value& operator=(const Value&) = default;
  Value& operator=(Value&& other) noexcept {
    if (this != &other) bytes_ = std::exchange(other.bytes_, nil_bytes());
    return *this;
  }
  ~Value() = default;

  template <detail::NotValue T>
  Value(const T& v)  // NOLINT(google-explicit-constructor): implicit by contract
      : bytes_(pack(v)) {}

  template <class T>
  static Value from(const T& v) {
    return Value(v);
  }

  // Adopts already-encoded msgpack bytes. Throws CorruptionError unless `bytes` is exactly
  // one complete msgpack document whose arrays and maps nest at most kMaxValueDepth deep
  // (<portico/cache/limits.hpp>). The check walks the bytes once and builds nothing.
  static Value from_msgpack(std::string bytes);

  // Converts to T. Throws TypeError when the document does not convert to T, CorruptionError
  // when the bytes (read back from storage) are no document or nest deeper than
  // kMaxValueDepth.
  template <class T>
  T as() const {
    static_assert(!detail::ViewType<T>, "as<T>() returns an owned value; views would dangle");
    msgpack::object_handle handle = unpack_document();
    try {
      return handle.get().as<T>();
    } catch (const msgpack::type_error& e) {
      detail::throw_type_error(typeid(T).name(), e.what());
    }
  }

  // The raw msgpack encoding.
  const std::string& msgpack() const& { return bytes_; }
  // Moves the bytes out; the Value is nil afterwards.
  std::string msgpack() && { return std::exchange(bytes_, nil_bytes()); }

  // A JSON rendering for display: maps with non-string keys render their keys as JSON text,
  // binary and extension values render as {"$bin": base64} / {"$ext": type, "data": base64}.
  // CorruptionError as for as<T>().
  std::string to_json() const;

  bool is_nil() const;
  std::size_t size_bytes() const { return bytes_.size(); }

  friend bool operator==(const Value& a, const Value& b) { return a.bytes_ == b.bytes_; }

 private:
  template <class T>
  static std::string pack(const T& v) {
    msgpack::sbuffer buffer;
    msgpack::pack(buffer, v);
    return std::string(buffer.data(), buffer.size());
  }

  friend struct detail::ValueAccess;

  // msgpack's nil: one byte, held without allocating.
  static std::string nil_bytes() noexcept { return std::string(1, '\xc0'); }
  msgpack::object_handle unpack_document() const;

  std::string bytes_;
};

PORTICO_CACHE_END_NAMESPACE
