// Time types and the clock every adapter reads.
//
// Adapters take a Clock so that expiry can be tested without sleeping: production code uses
// system_clock_source(), tests advance a ManualClock.
//
// Thread-safety: Clock::now() may be called from any thread. ManualClock is safe to advance
// while other threads read it.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>

#include <portico/cache/export.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

using TimePoint = std::chrono::system_clock::time_point;

// Time to live. Hours down to microseconds convert implicitly; finer or floating durations
// go through std::chrono::ceil<Ttl>.
using Ttl = std::chrono::microseconds;

class PORTICO_CACHE_API Clock {
 public:
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
};

// The wall clock (std::chrono::system_clock). Shared, never null.
PORTICO_CACHE_API std::shared_ptr<const Clock> system_clock_source();

// A clock that moves only when told to. Starts at the wall clock's time of construction
// unless given a start.
class PORTICO_CACHE_API ManualClock final : public Clock {
 public:
  ManualClock();
  explicit ManualClock(TimePoint start);

  TimePoint now() const override;
  void advance(std::chrono::system_clock::duration by);
  void set(TimePoint to);

 private:
  std::atomic<std::chrono::system_clock::rep> ticks_;
};

PORTICO_CACHE_END_NAMESPACE
