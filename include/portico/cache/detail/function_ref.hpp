// FunctionRef: a non-owning reference to a callable, for passing template callables into
// the library's compiled code without allocating. Internal to portico-cache's headers.
//
// REQUIRES: the referenced callable outlives every call through the FunctionRef (it is meant
// for parameters, never for storage).
#pragma once

#include <concepts>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <portico/cache/export.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE
namespace detail {

template <class Signature>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  template <class F>
    requires(!std::same_as<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F&& f)  // NOLINT(google-explicit-constructor): a parameter adaptor
      : object_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* object, Args... args) -> R {
          return std::invoke(*static_cast<std::remove_reference_t<F>*>(object),
                             std::forward<Args>(args)...);
        }) {}

  R operator()(Args... args) const { return call_(object_, std::forward<Args>(args)...); }

 private:
  void* object_;
  R (*call_)(void*, Args...);
};

}  // namespace detail
PORTICO_CACHE_END_NAMESPACE
