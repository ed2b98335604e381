#include <portico/cache/service.hpp>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <future>
#include <limits>
#include <mutex>
#include <random>
#include <stdexcept>
#include <unordered_map>

#include <fmt/format.h>

#include "core/argument_checks.hpp"
#include "service/envelope.hpp"
#include "service/service_metrics.hpp"
#include "service/single_flight.hpp"
#include "service/worker_pool.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

namespace {

using internal::Envelope;

using internal::Flight;

struct AtomicCounters {
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> misses{0};
  std::atomic<std::uint64_t> sets{0};
  std::atomic<std::uint64_t> factory_calls{0};
  std::atomic<std::uint64_t> factory_errors{0};
  std::atomic<std::uint64_t> coalesced{0};
  std::atomic<std::uint64_t> stale_served{0};
  std::atomic<std::uint64_t> early_refreshes{0};
  std::atomic<std::uint64_t> background_refreshes{0};

  ServiceCounters snapshot() const {
    constexpr auto relaxed = std::memory_order_relaxed;
    return ServiceCounters{.hits = hits.load(relaxed),
                           .misses = misses.load(relaxed),
                           .sets = sets.load(relaxed),
                           .factory_calls = factory_calls.load(relaxed),
                           .factory_errors = factory_errors.load(relaxed),
                           .coalesced = coalesced.load(relaxed),
                           .stale_served = stale_served.load(relaxed),
                           .early_refreshes = early_refreshes.load(relaxed),
                           .background_refreshes = background_refreshes.load(relaxed)};
  }
};

void reject_reserved(const Value& value) {
  if (internal::is_envelope(value)) {
    throw std::invalid_argument(fmt::format(
        "CacheService reserves top-level msgpack extension type {} for its envelopes",
        internal::kEnvelopeExtType));
  }
}

double default_random() {
  thread_local std::mt19937_64 engine{std::random_device{}()};
  // [0, 1) mapped to (0, 1]: ln() must never see 0.
  return 1.0 - std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

ServiceOptions validated(ServiceOptions options) {
  internal::check_ttl(options.default_ttl, "CacheService default_ttl");
  internal::check_ttl(options.stale_while_revalidate, "CacheService stale_while_revalidate");
  if (options.default_namespace && options.default_namespace->empty()) {
    throw std::invalid_argument("CacheService default_namespace must not be empty (omit it)");
  }
  if (!options.clock) throw std::invalid_argument("CacheService clock must not be null");
  if (options.early_refresh_beta &&
      !(std::isfinite(*options.early_refresh_beta) && *options.early_refresh_beta > 0.0)) {
    throw std::invalid_argument(fmt::format(
        "CacheService early_refresh_beta must be positive and finite, got {}",
        *options.early_refresh_beta));
  }
  if (!options.random) options.random = default_random;
  return options;
}

}  // namespace

class CacheService::Impl {
 public:
  Impl(std::shared_ptr<CacheAdapter> adapter_in, ServiceOptions options_in)
      : given(std::move(adapter_in)), options(validated(std::move(options_in))) {
    if (!given) throw std::invalid_argument("CacheService needs an adapter, got null");
    adapter = internal::adapter_for_service(given, options.enable_stats);
    // The refresh thread exists only when something can use it.
    if (options.stale_while_revalidate) refresher = std::make_unique<internal::WorkerPool>(1);
  }

  ~Impl() {
    // Background refreshes use everything else: let them finish first.
    refresher.reset();
  }

  enum class Freshness { fresh, stale, expired };
  struct Read {
    Value value;
    Freshness freshness = Freshness::fresh;
    std::optional<Envelope> envelope;
  };

  void bump(std::atomic<std::uint64_t> AtomicCounters::*counter, std::uint64_t by = 1) {
    if (options.enable_stats) (counters.*counter).fetch_add(by, std::memory_order_relaxed);
  }

  // Keys and ttls are checked by the adapter's port. get_or_set alone checks them first,
  // because the port sees them only after the factory ran: a bad key or ttl must fail
  // before it costs a computation.
  CacheKey make_key(std::string key, const NsOption& ns, std::vector<std::string> tags) const {
    return CacheKey{.key = std::move(key),
                    .ns = ns.or_default(options.default_namespace),
                    .tags = std::move(tags)};
  }
  CacheKey checked_key(std::string key, const NsOption& ns, std::vector<std::string> tags) const {
    CacheKey k = make_key(std::move(key), ns, std::move(tags));
    k.validate();
    return k;
  }

  std::optional<Ttl> resolve_ttl(const TtlOption& ttl) const {
    return ttl.or_default(options.default_ttl);
  }
  std::optional<Ttl> checked_ttl(const TtlOption& ttl) const {
    std::optional<Ttl> resolved = resolve_ttl(ttl);
    internal::check_ttl(resolved, "cache ttl");
    return resolved;
  }

  bool uses_envelope(const std::optional<Ttl>& ttl) const {
    return ttl && (options.early_refresh_beta || options.stale_while_revalidate);
  }

  std::optional<Read> read(const CacheKey& key) {
    std::optional<CacheEntry> entry = adapter->get(key);
    if (!entry) return std::nullopt;
    if (!internal::is_envelope(entry->value)) {
      return Read{.value = std::move(entry->value), .freshness = Freshness::fresh, .envelope = {}};
    }
    Envelope envelope = internal::unwrap_envelope(entry->value);
    const TimePoint now = options.clock->now();
    // Same boundary as CacheEntry::is_expired: expired strictly after the expiry. A value
    // written with a grace period by another service is served stale only if this one
    // serves stale values too.
    const Freshness freshness =
        now <= envelope.expires_at                                         ? Freshness::fresh
        : now <= envelope.stale_until && options.stale_while_revalidate ? Freshness::stale
                                                                           : Freshness::expired;
    Value value = std::move(envelope.value);
    return Read{.value = std::move(value), .freshness = freshness, .envelope = std::move(envelope)};
  }

  // XFetch (Vattani et al., "Optimal Probabilistic Cache Stampede Prevention"): recompute
  // when now - delta * beta * ln(random) >= expiry.
  bool should_refresh_early(const Read& read) {
    if (!options.early_refresh_beta || !read.envelope) return false;
    double r = options.random();
    if (!(r > 0.0)) r = std::numeric_limits<double>::min();
    if (r > 1.0) r = 1.0;
    const double head_start_us = -static_cast<double>(read.envelope->delta.count()) *
                                 *options.early_refresh_beta * std::log(r);
    const TimePoint now = options.clock->now();
    const double until_expiry_us =
        std::chrono::duration<double, std::micro>(read.envelope->expires_at - now).count();
    return head_start_us >= until_expiry_us;
  }

  void store(const CacheKey& key, Value value, const std::optional<Ttl>& ttl, Ttl delta) {
    reject_reserved(value);
    if (!uses_envelope(ttl)) {
      adapter->set(key, std::move(value), ttl);
    } else {
      const Ttl grace = options.stale_while_revalidate.value_or(Ttl::zero());
      const TimePoint now = options.clock->now();
      Envelope envelope{.expires_at = now + *ttl,
                        .stale_until = now + *ttl + grace,
                        .delta = delta,
                        .value = std::move(value)};
      adapter->set(key, internal::wrap_envelope(envelope), *ttl + grace);
    }
    bump(&AtomicCounters::sets);
  }

  // Runs the factory and stores its result; the duration is kept for early refresh.
  Value run_and_store(const CacheKey& key, const std::optional<Ttl>& ttl,
                      detail::FunctionRef<Value()> compute) {
    bump(&AtomicCounters::factory_calls);
    const TimePoint started = options.clock->now();
    Value value;
    try {
      value = compute();
    } catch (...) {
      bump(&AtomicCounters::factory_errors);
      throw;
    }
    const Ttl delta = std::max(
        Ttl::zero(), std::chrono::ceil<Ttl>(options.clock->now() - started));
    store(key, value, ttl, delta);
    return value;
  }

  std::pair<std::shared_ptr<Flight>, bool> join_or_lead(const CacheKey& key) {
    return flights.join_or_lead(key);
  }
  void succeed(const CacheKey& key, const std::shared_ptr<Flight>& flight, const Value& value) {
    flights.succeed(key, flight, value);
  }
  void fail(const CacheKey& key, const std::shared_ptr<Flight>& flight, std::exception_ptr error) {
    flights.fail(key, flight, std::move(error));
  }

  // Runs a refresh that this caller leads, in this thread. Returns the new value, or nullopt
  // when it failed: the caller still holds a usable value, and the error reaches the waiters
  // and the counters but is never cached.
  std::optional<Value> refresh_here(const CacheKey& key, const std::optional<Ttl>& ttl,
                                    detail::FunctionRef<Value()> compute,
                                    const std::shared_ptr<Flight>& flight) {
    try {
      Value value = run_and_store(key, ttl, compute);
      succeed(key, flight, value);
      return value;
    } catch (...) {
      fail(key, flight, std::current_exception());
      return std::nullopt;
    }
  }

  // Refreshes in the calling thread unless a computation of `key` is running (nullopt then).
  std::optional<Value> refresh_in_caller(const CacheKey& key, const std::optional<Ttl>& ttl,
                                         detail::FunctionRef<Value()> compute) {
    auto [flight, leader] = join_or_lead(key);
    if (!leader) return std::nullopt;
    bump(&AtomicCounters::early_refreshes);
    return refresh_here(key, ttl, compute, flight);
  }

  // Starts one background refresh of `key` unless a computation is running. Without an
  // owning copy of the factory the caller refreshes instead (and gets the new value).
  std::optional<Value> refresh_in_background(
      const CacheKey& key, const std::optional<Ttl>& ttl, detail::FunctionRef<Value()> compute,
      detail::FunctionRef<std::function<Value()>()> make_background) {
    auto [flight, leader] = join_or_lead(key);
    if (!leader) return std::nullopt;
    std::function<Value()> owned;
    try {
      owned = make_background();
      if (owned) {
        refresher->submit([this, key, ttl, flight, owned = std::move(owned)] {
          try {
            Value value = run_and_store(key, ttl, owned);
            succeed(key, flight, value);
          } catch (...) {
            fail(key, flight, std::current_exception());
          }
        });
        bump(&AtomicCounters::background_refreshes);
        return std::nullopt;
      }
    } catch (...) {
      fail(key, flight, std::current_exception());
      throw;
    }
    return refresh_here(key, ttl, compute, flight);
  }

  // A fresh value stored since this caller's first read, if any. `exists` first, so that a
  // miss here costs no extra miss in the adapter's statistics.
  std::optional<Value> reread(const CacheKey& key) {
    if (!adapter->exists(key)) return std::nullopt;
    std::optional<Read> again = read(key);
    if (!again || again->freshness != Freshness::fresh) return std::nullopt;
    return std::move(again->value);
  }

  Value compute_single_flight(const CacheKey& key, const std::optional<Ttl>& ttl,
                              detail::FunctionRef<Value()> compute) {
    auto [flight, leader] = join_or_lead(key);
    if (!leader) {
      bump(&AtomicCounters::coalesced);
      return flight->result.get();
    }
    try {
      // Another leader may have stored the value between our read and join_or_lead.
      std::optional<Value> value = reread(key);
      if (!value) value = run_and_store(key, ttl, compute);
      succeed(key, flight, *value);
      return std::move(*value);
    } catch (...) {
      fail(key, flight, std::current_exception());
      throw;
    }
  }

  std::shared_ptr<CacheAdapter> given;    // what the caller passed: adapter() returns it
  std::shared_ptr<CacheAdapter> adapter;  // what the service calls: `given`, maybe metered
  ServiceOptions options;
  AtomicCounters counters;
  internal::FlightRegistry flights;
  // Last: destroyed (drained) first.
  std::unique_ptr<internal::WorkerPool> refresher;
};

CacheService::CacheService(std::shared_ptr<CacheAdapter> adapter, ServiceOptions options)
    : impl_(std::make_unique<Impl>(std::move(adapter), std::move(options))) {}

CacheService::CacheService(CacheAdapter& adapter, ServiceOptions options)
    // An aliasing pointer without an owner: the service never deletes the adapter.
    : CacheService(std::shared_ptr<CacheAdapter>(std::shared_ptr<void>(), &adapter),
                   std::move(options)) {}

CacheService::~CacheService() = default;

void CacheService::set(std::string_view key, Value value, const SetOptions& options) {
  const CacheKey k = impl_->make_key(std::string(key), options.ns, options.tags);
  const std::optional<Ttl> ttl = impl_->resolve_ttl(options.ttl);
  reject_reserved(value);
  impl_->adapter->set(k, std::move(value), ttl);
  impl_->bump(&AtomicCounters::sets);
}

std::optional<Value> CacheService::get_value(std::string_view key, const NsOption& ns) {
  std::optional<Impl::Read> read = impl_->read(impl_->make_key(std::string(key), ns, {}));
  if (!read || read->freshness != Impl::Freshness::fresh) {
    impl_->bump(&AtomicCounters::misses);
    return std::nullopt;
  }
  impl_->bump(&AtomicCounters::hits);
  return std::move(read->value);
}

bool CacheService::erase(std::string_view key, const NsOption& ns) {
  return impl_->adapter->erase(impl_->make_key(std::string(key), ns, {}));
}

bool CacheService::exists(std::string_view key, const NsOption& ns) {
  const CacheKey k = impl_->make_key(std::string(key), ns, {});
  if (!impl_->adapter->exists(k)) return false;
  // An envelope written with a grace period outlives its logical expiry in the adapter,
  // whatever the options of the service reading it: look inside.
  std::optional<Impl::Read> read = impl_->read(k);
  return read && read->freshness == Impl::Freshness::fresh;
}

std::size_t CacheService::invalidate_tags(const std::vector<std::string>& tags) {
  return impl_->adapter->erase_by_tags(tags);
}

std::size_t CacheService::invalidate_namespace(std::string_view ns) {
  return impl_->adapter->erase_by_namespace(ns);
}

std::size_t CacheService::invalidate_pattern(std::string_view glob) {
  return impl_->adapter->erase_by_pattern(glob);
}

std::size_t CacheService::invalidate_regex(std::string_view regex) {
  return impl_->adapter->erase_by_regex(regex);
}

std::size_t CacheService::cleanup_expired() { return impl_->adapter->cleanup_expired(); }

void CacheService::clear_all() { impl_->adapter->clear(); }

ServiceStats CacheService::get_stats() {
  ServiceStats stats{.cache = impl_->adapter->get_stats(), .service = {}};
  if (impl_->options.enable_stats) stats.service = impl_->counters.snapshot();
  return stats;
}

CacheAdapter& CacheService::adapter() const { return *impl_->given; }

MetricsSnapshot CacheService::metrics() { return internal::service_metrics(*impl_->adapter); }

const ServiceOptions& CacheService::options() const { return impl_->options; }

Value CacheService::get_or_set_value(
    std::string key, const SetOptions& options, detail::FunctionRef<Value()> compute,
    detail::FunctionRef<std::function<Value()>()> make_background) {
  Impl& impl = *impl_;
  const CacheKey k = impl.checked_key(std::move(key), options.ns, options.tags);
  const std::optional<Ttl> ttl = impl.checked_ttl(options.ttl);

  if (std::optional<Impl::Read> read = impl.read(k)) {
    switch (read->freshness) {
      case Impl::Freshness::fresh:
        if (impl.should_refresh_early(*read)) {
          if (std::optional<Value> refreshed = impl.refresh_in_caller(k, ttl, compute)) {
            return std::move(*refreshed);
          }
        }
        impl.bump(&AtomicCounters::hits);
        return std::move(read->value);
      case Impl::Freshness::stale:
        if (std::optional<Value> refreshed =
                impl.refresh_in_background(k, ttl, compute, make_background)) {
          return std::move(*refreshed);
        }
        impl.bump(&AtomicCounters::hits);
        impl.bump(&AtomicCounters::stale_served);
        return std::move(read->value);
      case Impl::Freshness::expired:
        break;
    }
  }
  impl.bump(&AtomicCounters::misses);
  return impl.compute_single_flight(k, ttl, compute);
}

std::size_t CacheService::warm_from(detail::FunctionRef<std::optional<WarmItem>()> next,
                                    WarmOptions options) {
  if (options.chunk_size == 0) {
    throw std::invalid_argument("CacheService::warm: chunk_size must be positive");
  }
  std::size_t written = 0;
  std::vector<CacheItem> chunk;
  auto flush = [&] {
    if (chunk.empty()) return;
    const std::size_t size = chunk.size();
    impl_->adapter->set_many(std::move(chunk));
    chunk.clear();
    written += size;
    impl_->bump(&AtomicCounters::sets, size);
  };
  while (std::optional<WarmItem> item = next()) {
    reject_reserved(item->value);
    chunk.push_back(CacheItem{
        .key = impl_->make_key(std::move(item->key), item->options.ns,
                               std::move(item->options.tags)),
        .value = std::move(item->value),
        .ttl = impl_->resolve_ttl(item->options.ttl)});
    if (chunk.size() == options.chunk_size) flush();
  }
  flush();
  return written;
}

PORTICO_CACHE_END_NAMESPACE
