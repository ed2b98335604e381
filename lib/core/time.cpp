#include <portico/cache/time.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

namespace {
class SystemClock final : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
};
}  // namespace

std::shared_ptr<const Clock> system_clock_source() {
  static const auto clock = std::make_shared<const SystemClock>();
  return clock;
}

ManualClock::ManualClock() : ManualClock(std::chrono::system_clock::now()) {}

ManualClock::ManualClock(TimePoint start) : ticks_(start.time_since_epoch().count()) {}

TimePoint ManualClock::now() const {
  return TimePoint(std::chrono::system_clock::duration(ticks_.load(std::memory_order_acquire)));
}

void ManualClock::advance(std::chrono::system_clock::duration by) {
  ticks_.fetch_add(by.count(), std::memory_order_acq_rel);
}

void ManualClock::set(TimePoint to) {
  ticks_.store(to.time_since_epoch().count(), std::memory_order_release);
}

PORTICO_CACHE_END_NAMESPACE
