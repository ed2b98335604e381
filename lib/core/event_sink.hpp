// EventSink: delivers an adapter's events to its EventListener.
//
// A listener is user code: whatever it throws is caught here and counted, so a faulty
// listener can never break the cache call or the maintenance round that reported the event.
// Callers must not hold any lock a cache call could need while calling emit().
//
// Thread-safety: emit() may be called from any number of threads at once (the listener must
// be thread-safe itself).
#pragma once

#include <atomic>
#include <cstdint>

#include <portico/cache/events.hpp>

namespace portico::cache::internal {

class EventSink {
 public:
  EventSink() = default;
  explicit EventSink(EventListener listener) : listener_(std::move(listener)) {}

  bool active() const { return static_cast<bool>(listener_); }
  void emit(const CacheEvent& event) noexcept;
  // Exceptions the listener threw so far.
  std::uint64_t listener_errors() const { return errors_.load(std::memory_order_relaxed); }

 private:
  EventListener listener_;
  std::atomic<std::uint64_t> errors_{0};
};

}  // namespace portico::cache::internal
