#include <portico/cache/events.hpp>

#include "core/event_sink.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::evicted: return "evicted";
    case EventKind::corruption_reset: return "corruption_reset";
    case EventKind::maintenance_failed: return "maintenance_failed";
    case EventKind::backend_lost: return "backend_lost";
    case EventKind::backend_restored: return "backend_restored";
    case EventKind::disk_low: return "disk_low";
  }
  return "unknown";
}

PORTICO_CACHE_END_NAMESPACE

namespace portico::cache::internal {

void EventSink::emit(const CacheEvent& event) noexcept {
  if (!listener_) return;
  try {
    listener_(event);
  } catch (...) {
    // The listener's failure is its own; the cache goes on and counts it.
    errors_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace portico::cache::internal
