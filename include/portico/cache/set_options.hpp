// SetOptions: how CacheService stores one value (time to live, namespace, tags).
//
// Every field may be omitted; an omitted ttl or ns means "the service's default", which is
// different from "none":
//
//   svc.set("k", v);                                    // default ttl, default namespace
//   svc.set("k", v, {.ttl = std::chrono::minutes(5)});  // 5 minutes, default namespace
//   svc.set("k", v, {.ttl = no_expiry});                // never expires
//   svc.set("k", v, {.ns = "staging"});                 // namespace "staging"
//   svc.set("k", v, {.ns = no_namespace});              // no namespace at all
//   svc.set("k", v, {.tags = {"a", "b"}});
//
// TtlOption and NsOption are the small tri-state types that make those forms mean what they
// say. A ttl, when given, must be positive and a namespace non-empty; the service rejects
// anything else with std::invalid_argument when the option is used.
//
// Thread-safety: plain value types.
#pragma once

#include <chrono>
#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <portico/cache/export.hpp>
#include <portico/cache/time.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

// The tag type of `no_expiry`: "this entry never expires".
struct NoExpiry {
  explicit constexpr NoExpiry() = default;
};
inline constexpr NoExpiry no_expiry{};

// The tag type of `no_namespace`: "this entry lives outside every namespace".
struct NoNamespace {
  explicit constexpr NoNamespace() = default;
};
inline constexpr NoNamespace no_namespace{};

// A time to live that is either the service default, no expiry, or a duration.
// Any duration that converts to Ttl without loss converts implicitly (hours down to
// microseconds); finer or floating durations go through std::chrono::ceil<Ttl> first.
class TtlOption {
 public:
  constexpr TtlOption() = default;
  constexpr TtlOption(NoExpiry) : kind_(Kind::none) {}  // NOLINT(google-explicit-constructor)
  template <class Rep, class Period>
    requires std::convertible_to<std::chrono::duration<Rep, Period>, Ttl>
  constexpr TtlOption(std::chrono::duration<Rep, Period> ttl)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::duration), ttl_(ttl) {}

  constexpr bool is_default() const { return kind_ == Kind::service_default; }
  constexpr bool is_no_expiry() const { return kind_ == Kind::none; }
  // The duration; REQUIRES: neither is_default() nor is_no_expiry().
  constexpr Ttl duration() const { return ttl_; }

  // The ttl to store with: `fallback` when this is the default, nullopt for no expiry.
  constexpr std::optional<Ttl> or_default(std::optional<Ttl> fallback) const {
    switch (kind_) {
      case Kind::service_default:
        return fallback;
      case Kind::none:
        return std::nullopt;
      case Kind::duration:
        break;
    }
    return ttl_;
  }

  friend constexpr bool operator==(const TtlOption&, const TtlOption&) = default;

 private:
  enum class Kind { service_default, none, duration };
  Kind kind_ = Kind::service_default;
  Ttl ttl_{};
};

// A namespace that is either the service default, no namespace, or a name.
class NsOption {
 public:
  NsOption() = default;
  NsOption(NoNamespace) : kind_(Kind::none) {}  // NOLINT(google-explicit-constructor)
  NsOption(const char* name)  // NOLINT(google-explicit-constructor)
      : kind_(Kind::name), name_(name != nullptr ? name : throw std::invalid_argument(
                                                             "namespace must not be null")) {}
  NsOption(std::string name) : kind_(Kind::name), name_(std::move(name)) {}  // NOLINT
  NsOption(std::string_view name) : kind_(Kind::name), name_(name) {}  // NOLINT

  bool is_default() const { return kind_ == Kind::service_default; }
  bool is_no_namespace() const { return kind_ == Kind::none; }
  // The name; REQUIRES: neither is_default() nor is_no_namespace().
  const std::string& name() const { return name_; }

  // The namespace to use: `fallback` when this is the default, nullopt for no namespace.
  std::optional<std::string> or_default(const std::optional<std::string>& fallback) const {
    switch (kind_) {
      case Kind::service_default:
        return fallback;
      case Kind::none:
        return std::nullopt;
      case Kind::name:
        break;
    }
    return name_;
  }

  friend bool operator==(const NsOption&, const NsOption&) = default;

 private:
  enum class Kind { service_default, none, name };
  Kind kind_ = Kind::service_default;
  std::string name_{};
};

// Field order is API (designated initialisers follow it).
struct SetOptions {
  TtlOption ttl{};
  NsOption ns{};
  std::vector<std::string> tags{};
};

PORTICO_CACHE_END_NAMESPACE
