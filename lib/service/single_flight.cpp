#include "service/single_flight.hpp"

namespace portico::cache::internal {

std::pair<std::shared_ptr<Flight>, bool> FlightRegistry::join_or_lead(const CacheKey& key) {
  std::lock_guard lock(mutex_);
  auto [it, inserted] = flights_.try_emplace(key);
  if (inserted) {
    try {
      it->second = std::make_shared<Flight>();
    } catch (...) {
      flights_.erase(it);
      throw;
    }
  }
  return {it->second, inserted};
}

void FlightRegistry::land(const CacheKey& key, const std::shared_ptr<Flight>& flight) {
  std::lock_guard lock(mutex_);
  auto it = flights_.find(key);
  if (it != flights_.end() && it->second == flight) flights_.erase(it);
}

void FlightRegistry::succeed(const CacheKey& key, const std::shared_ptr<Flight>& flight,
                             const Value& value) {
  land(key, flight);
  flight->promise.set_value(value);
}

void FlightRegistry::fail(const CacheKey& key, const std::shared_ptr<Flight>& flight,
                          std::exception_ptr error) {
  land(key, flight);
  flight->promise.set_exception(std::move(error));
}

}  // namespace portico::cache::internal
