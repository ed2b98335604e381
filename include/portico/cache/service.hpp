// CacheService: the application-facing kit over one CacheAdapter.
//
// It resolves defaults (time to live, namespace), converts values to and from C++ types, and
// protects expensive computations against stampedes:
//
//   CacheService svc(adapter, {.default_ttl = 1h, .default_namespace = "app"});
//   svc.set("user:123", user);                                // default ttl and namespace
//   std::optional<User> u = svc.get<User>("user:123");
//   User v = svc.get_or_set<User>("user:123", [&] { return load_user(123); }, {.ttl = 30min});
//
// get_or_set is single-flight per (namespace, key) across threads: on a miss exactly one
// caller runs the factory while concurrent callers for the same key wait for it (blocking, no
// spinning) and receive its value or its exception. A failed factory stores nothing, so the
// next call tries again.
//
// Two more stampede protections, both off by default (ServiceOptions):
// - early_refresh_beta turns on probabilistic early recomputation ("XFetch"): a reader that
//   finds a fresh value recomputes it ahead of expiry with a probability that rises as expiry
//   nears and with how long the value took to compute, while other readers keep the old value.
// - stale_while_revalidate keeps a value for a grace period after it expires: get_or_set
//   serves it during the grace period while one background refresh runs.
// Values stored by get_or_set with either protection on (and a finite ttl) carry a small
// envelope with their logical expiry, so the entry physically lives for ttl + grace. get,
// get_value and exists understand the envelope: past its logical expiry such an entry reads
// as a miss. Read through the adapter directly, the envelope is a msgpack extension value of
// type 112; CacheService reserves that top-level extension type and set() rejects it.
//
// Patterns (invalidate_pattern, invalidate_regex) match the full key "ns:key": with a default
// namespace "app", the entries of key "user:1" are matched by "app:user:*".
//
// Statistics: get_stats() returns the adapter's snapshot plus, with enable_stats, the
// service's own counters (reads answered, factory runs, waits, stale serves...). With
// enable_stats = false the service keeps no counters (no atomic updates on the hot path)
// and get_stats().service is nullopt; the adapter's own statistics are unaffected.
//
// Metrics and health: metrics() returns what the service's adapter calls did (per-operation
// calls, errors and latency histograms, hits and misses; see metrics.hpp) plus the adapter's
// statistics. With enable_stats the service makes its calls through a MeteredAdapter wrapped
// around the adapter (or through the adapter itself when it is a MeteredAdapter already);
// without, metrics() holds only the adapter's statistics. health() is the adapter's.
//
// Thread-safety: every method may be called concurrently. The service is neither copyable
// nor movable (memoised callables refer to it); hold it in a smart pointer to share it.
// The adapter must outlive the service when it was passed by reference.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <portico/cache/adapter.hpp>
#include <portico/cache/detail/function_ref.hpp>
#include <portico/cache/export.hpp>
#include <portico/cache/health.hpp>
#include <portico/cache/metrics.hpp>
#include <portico/cache/set_options.hpp>
#include <portico/cache/stats.hpp>
#include <portico/cache/time.hpp>
#include <portico/cache/value.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

// Field order is API (designated initialisers follow it).
struct ServiceOptions {
  // Used when SetOptions::ttl is omitted; nullopt = entries never expire by default.
  std::optional<Ttl> default_ttl = std::chrono::hours(1);
  // Used when SetOptions::ns (or get's ns) is omitted; nullopt = no namespace.
  std::optional<std::string> default_namespace{};
  // Keep the service's own counters (see get_stats).
  bool enable_stats = true;
  // Time for logical expiry, early refresh and stale serving. Give the adapter the same clock.
  std::shared_ptr<const Clock> clock = system_clock_source();
  // XFetch: recompute early when  now - delta * beta * ln(random()) >= expiry, delta being
  // how long the last computation took. 1.0 is the usual choice; larger refreshes earlier.
  // nullopt = off. REQUIRES: positive and finite.
  std::optional<double> early_refresh_beta{};
  // Serve an expired get_or_set value for this long after expiry while one background
  // refresh runs. nullopt = off. REQUIRES: positive.
  std::optional<Ttl> stale_while_revalidate{};
  // Uniform random numbers in (0, 1] for early refresh; empty = an internal generator.
  // Called concurrently from reading threads.
  std::function<double()> random{};
};

// The service's own counters; every read and write made through the service.
struct ServiceCounters {
  std::uint64_t hits = 0;              // get / get_or_set answered from the cache (incl. stale)
  std::uint64_t misses = 0;            // get / get_or_set found no usable value
  std::uint64_t sets = 0;              // values written (set, warm, get_or_set results)
  std::uint64_t factory_calls = 0;     // factory runs (get_or_set, cached, refreshes)
  std::uint64_t factory_errors = 0;    // factory runs that threw
  std::uint64_t coalesced = 0;         // callers that waited for another caller's factory
  std::uint64_t stale_served = 0;      // values served after their expiry (stale grace)
  std::uint64_t early_refreshes = 0;   // recomputations started ahead of expiry (XFetch)
  std::uint64_t background_refreshes = 0;  // refreshes run on the service's refresh thread
};

struct ServiceStats {
  CacheStats cache{};                         // the adapter's snapshot
  std::optional<ServiceCounters> service{};   // nullopt when enable_stats is false
};

// One value to preload with CacheService::warm.
struct WarmItem {
  std::string key{};
  Value value{};
  SetOptions options{};
};

struct WarmOptions {
  std::size_t chunk_size = 1000;  // items per set_many; REQUIRES: positive
};

namespace detail {
struct DeduceResult {};
struct ServiceAccess;

// The value a factory result is stored as.
template <class R, class U>
Value to_stored_value(U&& produced) {
  if constexpr (std::same_as<std::remove_cvref_t<U>, Value>) {
    return std::forward<U>(produced);
  } else {
    const R converted(std::forward<U>(produced));
    return Value(converted);
  }
}
}  // namespace detail

class PORTICO_CACHE_API CacheService {
 public:
  // Throws std::invalid_argument for a null adapter or clock, a non-positive default ttl or
  // grace period, an empty default namespace, or a beta that is not positive and finite.
  explicit CacheService(std::shared_ptr<CacheAdapter> adapter, ServiceOptions options = {});
  // Non-owning: the caller keeps `adapter` alive for the service's whole life.
  explicit CacheService(CacheAdapter& adapter, ServiceOptions options = {});
  // Waits for running background refreshes.
  ~CacheService();

  CacheService(const CacheService&) = delete;
  CacheService& operator=(const CacheService&) = delete;

  // Stores `value` under (ns, key); omitted options take the service's defaults.
  void set(std::string_view key, Value value, const SetOptions& options = {});

  // The value under (ns, key) converted to T, or nullopt on a miss. Throws TypeError when
  // the stored value does not convert to T.
  template <class T>
  std::optional<T> get(std::string_view key, const NsOption& ns = {}) {
    std::optional<Value> value = get_value(key, ns);
    if (!value) return std::nullopt;
    if constexpr (std::same_as<T, Value>) {
      return value;
    } else {
      return value->template as<T>();
    }
  }
  std::optional<Value> get_value(std::string_view key, const NsOption& ns = {});

  // True if an entry existed (an entry kept for its stale grace period counts).
  bool erase(std::string_view key, const NsOption& ns = {});
  // False for expired entries, including those past their logical expiry. A present entry
  // is read to see that expiry, which the adapter counts as a hit.
  bool exists(std::string_view key, const NsOption& ns = {});

  // The number of entries removed. Patterns match full keys ("ns:key").
  std::size_t invalidate_tags(const std::vector<std::string>& tags);
  std::size_t invalidate_namespace(std::string_view ns);
  std::size_t invalidate_pattern(std::string_view glob);
  std::size_t invalidate_regex(std::string_view regex);
  std::size_t cleanup_expired();
  void clear_all();
  ServiceStats get_stats();
  // See "Metrics and health" above.
  MetricsSnapshot metrics();
  HealthReport health();

  // The cached value under (ns, key), or the factory's result, which is stored first.
  // T defaults to the factory's result type. The factory returns T, something T is
  // constructible from, or a Value. Single-flight per (ns, key); see the top of this file.
  // With stale_while_revalidate on, a copy of the factory may run on the service's refresh
  // thread after this call returns: it must not refer to the caller's locals then (a factory
  // that cannot be copied is run by the caller instead).
  template <class T = detail::DeduceResult, class F>
    requires std::invocable<F&>
  auto get_or_set(std::string_view key, F&& factory, const SetOptions& options = {}) {
    using Produced = std::invoke_result_t<F&>;
    using R = std::conditional_t<std::same_as<T, detail::DeduceResult>,
                                 std::remove_cvref_t<Produced>, T>;
    static_assert(!std::is_void_v<Produced>, "the factory must return a value");
    static_assert(std::same_as<std::remove_cvref_t<Produced>, Value> ||
                      std::is_constructible_v<R, Produced>,
                  "the factory's result must convert to T");
    std::optional<R> produced;
    auto compute = [&]() -> Value {
      if constexpr (std::same_as<std::remove_cvref_t<Produced>, Value>) {
        return std::invoke(factory);
      } else {
        produced.emplace(std::invoke(factory));
        return Value(*produced);
      }
    };
    auto make_background = [&]() -> std::function<Value()> {
      if constexpr (std::is_copy_constructible_v<std::decay_t<F>>) {
        return [f = std::decay_t<F>(factory)]() mutable -> Value {
          return detail::to_stored_value<R>(std::invoke(f));
        };
      } else {
        return {};
      }
    };
    Value value = get_or_set_value(std::string(key), options, compute, make_background);
    if (produced) return std::move(*produced);
    if constexpr (std::same_as<R, Value>) {
      return value;
    } else {
      return value.template as<R>();
    }
  }

  // Preloads items, one adapter set_many per chunk; returns how many were written. Each
  // item's options resolve like set's. A chunk that fails validation writes nothing and
  // throws; earlier chunks stay written.
  template <std::ranges::input_range Items>
    requires std::constructible_from<WarmItem, std::ranges::range_reference_t<Items>>
  std::size_t warm(Items&& items, WarmOptions options = {}) {
    auto it = std::ranges::begin(items);
    auto end = std::ranges::end(items);
    auto next = [&]() -> std::optional<WarmItem> {
      if (it == end) return std::nullopt;
      std::optional<WarmItem> item(std::in_place, *it);
      ++it;
      return item;
    };
    return warm_from(next, options);
  }
  std::size_t warm(std::initializer_list<WarmItem> items, WarmOptions options = {}) {
    return warm(std::ranges::subrange(items.begin(), items.end()), options);
  }
  // Preloads from a loader that returns the next item, or nullopt when done.
  template <class Loader>
    requires std::is_invocable_r_v<std::optional<WarmItem>, Loader&>
  std::size_t warm(Loader&& next, WarmOptions options = {}) {
    return warm_from(next, options);
  }

  CacheAdapter& adapter() const;
  const ServiceOptions& options() const;

 private:
  friend struct detail::ServiceAccess;

  // `compute` runs the caller's factory in this thread; `make_background` returns an owning
  // copy for the refresh thread, or an empty function when there is none.
  Value get_or_set_value(std::string key, const SetOptions& options,
                         detail::FunctionRef<Value()> compute,
                         detail::FunctionRef<std::function<Value()>()> make_background);
  std::size_t warm_from(detail::FunctionRef<std::optional<WarmItem>()> next,
                        WarmOptions options);

  class Impl;
  std::unique_ptr<Impl> impl_;
};

PORTICO_CACHE_END_NAMESPACE
