// Events: what an adapter tells the application about itself, outside any call's result.
//
// Every adapter's options end with `EventListener on_event{}`. An adapter calls the listener
// without holding any lock that a cache call could need, so the listener may call back into
// the cache. An exception thrown by the listener is caught and counted
// (get_stats().listener_errors, also in the adapter's metrics), never propagated into the cache.
//
// Which thread calls the listener, per kind:
// - evicted: the thread that made room (a `set` over the bound, or the maintenance thread);
//   `key` names the entry, `count` is 1. Bulk evictions of one round may be reported as one
//   event without a key and with the count.
// - corruption_reset: the thread constructing the adapter, before the constructor returns.
// - maintenance_failed: the maintenance thread; `message` says which chore and why.
// - backend_lost / backend_restored: the thread whose call noticed the change.
// - disk_low: the thread that measured the free space (maintenance or a `set`).
//
// Thread-safety: a listener may be called from several threads at once; it must be
// thread-safe itself.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <portico/cache/export.hpp>
#include <portico/cache/key.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

enum class EventKind {
  evicted,             // an entry was removed to stay within a bound
  corruption_reset,    // a damaged cache was moved aside and a fresh one started
  maintenance_failed,  // a background chore failed; it is retried at the next round
  backend_lost,        // a remote tier stopped answering
  backend_restored,    // ... and answers again
  disk_low,            // free disk space fell below the configured minimum
};

// "evicted", "corruption_reset", ...: stable names for logs and metrics labels.
PORTICO_CACHE_API std::string_view to_string(EventKind kind);

struct CacheEvent {
  EventKind kind{};
  std::string message{};
  std::optional<CacheKey> key{};
  std::uint64_t count = 0;
};

using EventListener = std::function<void(const CacheEvent&)>;

PORTICO_CACHE_END_NAMESPACE
