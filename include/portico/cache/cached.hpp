// cached(): memoise a function through a CacheService.
//
//   User get_user_profile(int id);
//   auto profile = cached(svc, "get_user_profile", get_user_profile, {.ttl = 10min});
//   User u = profile(42);   // computed once, then read from the cache
//
// The returned callable has fn's signature. Each call looks up the key
// CacheKey::from_function_call(name, args) ("<name>:<32 hex>", stable across runs and
// machines), or key_func(args...) when one is given, in the namespace and with the tags of
// the options (an omitted ttl or ns takes the service's default). A miss goes through the same
// single-flight path as CacheService::get_or_set: concurrent calls with equal arguments run fn
// once and share its result or its exception; exceptions are never cached.
//
// Arguments and the result must be msgpack-packable (numbers, strings, std containers,
// structs with MSGPACK_DEFINE...); equal arguments of different C++ types (123 and 123L,
// "x" and std::string("x")) give the same key.
//
// All results of one function share the key prefix "<name>:", so they can be dropped at once
// with svc.invalidate_pattern("<name>:*") -- or "<ns>:<name>:*" when they live in a namespace
// (patterns match full keys).
//
// fn's signature is deduced from a function pointer, a std::function, or a lambda or functor
// with one non-template call operator (wrap a generic lambda in std::function<Sig>).
//
// Thread-safety: a memoised callable may be called, copied and destroyed concurrently; copies
// share fn and options. REQUIRES: the service outlives the callable and all its copies. With
// stale_while_revalidate on, fn and copies of the arguments may run on the service's refresh
// thread after a call returned.
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <portico/cache/export.hpp>
#include <portico/cache/key.hpp>
#include <portico/cache/service.hpp>
#include <portico/cache/set_options.hpp>
#include <portico/cache/value.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

namespace detail {

template <class F>
struct signature_of;

template <class R, class... Args>
struct signature_of<R(Args...)> {
  using type = R(Args...);
};
template <class R, class... Args>
struct signature_of<R(Args...) noexcept> : signature_of<R(Args...)> {};
template <class R, class... Args>
struct signature_of<R (*)(Args...)> : signature_of<R(Args...)> {};
template <class R, class... Args>
struct signature_of<R (*)(Args...) noexcept> : signature_of<R(Args...)> {};

template <class M>
struct member_call_signature;
#define PORTICO_CACHE_MEMBER_CALL(QUALIFIERS)                             \
  template <class R, class C, class... Args>                             \
  struct member_call_signature<R (C::*)(Args...) QUALIFIERS> {            \
    using type = R(Args...);                                              \
  };                                                                      \
  template <class R, class C, class... Args>                             \
  struct member_call_signature<R (C::*)(Args...) QUALIFIERS noexcept> {   \
    using type = R(Args...);                                              \
  };
PORTICO_CACHE_MEMBER_CALL()
PORTICO_CACHE_MEMBER_CALL(const)
PORTICO_CACHE_MEMBER_CALL(&)
PORTICO_CACHE_MEMBER_CALL(const&)
#undef PORTICO_CACHE_MEMBER_CALL

template <class F>
  requires requires { &F::operator(); }
struct signature_of<F> : member_call_signature<decltype(&F::operator())> {};

template <class F>
using signature_t = typename signature_of<std::decay_t<F>>::type;

template <class Arg>
inline constexpr bool memoisable_arg =
    !(std::is_lvalue_reference_v<Arg> && !std::is_const_v<std::remove_reference_t<Arg>>);

// CacheService's single-flight path, for memoised callables.
struct ServiceAccess {
  static Value get_or_set_value(CacheService& service, std::string key,
                                const SetOptions& options, FunctionRef<Value()> compute,
                                FunctionRef<std::function<Value()>()> make_background) {
    return service.get_or_set_value(std::move(key), options, compute, make_background);
  }
};

}  // namespace detail

// Options of one memoised function. Field order is API.
template <class Signature>
struct CachedOptions;

template <class R, class... Args>
struct CachedOptions<R(Args...)> {
  TtlOption ttl{};
  NsOption ns{};
  std::vector<std::string> tags{};
  // The key within the namespace for a call; empty = CacheKey::from_function_call.
  std::function<std::string(const std::remove_cvref_t<Args>&...)> key_func{};
};

template <class Signature>
class Memoized;

template <class R, class... Args>
class Memoized<R(Args...)> {
  static_assert(!std::is_void_v<R> && !std::is_reference_v<R>,
                "a memoised function must return a value");
  static_assert((detail::memoisable_arg<Args> && ...),
                "a memoised function cannot take non-const lvalue references");

 public:
  Memoized(CacheService& service, std::string name, std::function<R(Args...)> fn,
           CachedOptions<R(Args...)> options)
      : state_(std::make_shared<const State>(
            State{.service = &service,
                  .name = std::move(name),
                  .fn = std::move(fn),
                  .key_func = std::move(options.key_func),
                  .set_options = SetOptions{.ttl = std::move(options.ttl),
                                            .ns = std::move(options.ns),
                                            .tags = std::move(options.tags)}})) {
    if (state_->name.empty()) throw std::invalid_argument("cached: the name must not be empty");
    if (!state_->fn) throw std::invalid_argument("cached: the function must not be empty");
  }

  R operator()(Args... args) const {
    const State& s = *state_;
    std::string key = s.key_func
                          ? s.key_func(std::as_const(args)...)
                          : CacheKey::from_function_call(
                                s.name, std::forward_as_tuple(std::as_const(args)...))
                                .key;
    std::optional<R> produced;
    auto compute = [&]() -> Value {
      produced.emplace(std::invoke(s.fn, std::forward<Args>(args)...));
      return Value(*produced);
    };
    // An owning copy for the service's refresh thread (stale-while-revalidate). Called, if at
    // all, before compute, so the arguments are still intact.
    auto make_background = [&]() -> std::function<Value()> {
      if constexpr ((std::is_copy_constructible_v<std::decay_t<Args>> && ...)) {
        return [state = state_, saved = std::tuple<std::decay_t<Args>...>(args...)]() mutable {
          return Value(std::apply(state->fn, std::move(saved)));
        };
      } else {
        return {};
      }
    };
    Value value = detail::ServiceAccess::get_or_set_value(*s.service, std::move(key),
                                                          s.set_options, compute,
                                                          make_background);
    if (produced) return std::move(*produced);
    return value.template as<R>();
  }

  const std::string& name() const { return state_->name; }

 private:
  struct State {
    CacheService* service;
    std::string name;
    std::function<R(Args...)> fn;
    std::function<std::string(const std::remove_cvref_t<Args>&...)> key_func;
    SetOptions set_options;
  };
  std::shared_ptr<const State> state_;
};

// A memoised `fn`; see the top of this file. Throws std::invalid_argument for an empty name.
template <class F>
Memoized<detail::signature_t<F>> cached(CacheService& service, std::string name, F fn,
                                        CachedOptions<detail::signature_t<F>> options = {}) {
  return Memoized<detail::signature_t<F>>(service, std::move(name), std::move(fn),
                                          std::move(options));
}

PORTICO_CACHE_END_NAMESPACE
