#include "engine/key_locks.hpp"

#include <algorithm>
#include <numeric>

namespace portico::cache::internal {

KeyLocks::Guard::Guard(KeyLocks& locks, std::vector<std::size_t> stripes)
    : locks_(locks), stripes_(std::move(stripes)) {
  std::sort(stripes_.begin(), stripes_.end());
  stripes_.erase(std::unique(stripes_.begin(), stripes_.end()), stripes_.end());
  for (std::size_t s : stripes_) locks_.stripe(s).lock();
}

KeyLocks::Guard::~Guard() {
  for (auto it = stripes_.rbegin(); it != stripes_.rend(); ++it) locks_.stripe(*it).unlock();
}

KeyLocks::Guard KeyLocks::lock_ids(const std::vector<std::string_view>& ids) {
  std::vector<std::size_t> stripes;
  stripes.reserve(ids.size());
  for (std::string_view id : ids) stripes.push_back(stripe_of(id));
  return Guard(*this, std::move(stripes));
}

KeyLocks::Guard KeyLocks::lock_all() {
  std::vector<std::size_t> stripes(kStripes);
  std::iota(stripes.begin(), stripes.end(), std::size_t{0});
  return Guard(*this, std::move(stripes));
}

}  // namespace portico::cache::internal
