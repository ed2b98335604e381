// How CacheService meters the calls it makes to its adapter.
#pragma once

#include <memory>

#include <portico/cache/adapter.hpp>
#include <portico/cache/metrics.hpp>

namespace portico::cache::internal {

// The adapter a service calls: `given` wrapped in a MeteredAdapter when metrics are on and
// it is not metered already, else `given` itself.
std::shared_ptr<CacheAdapter> adapter_for_service(const std::shared_ptr<CacheAdapter>& given,
                                                  bool metered);

// The metrics of the adapter a service calls: its MeteredAdapter's, or only its statistics.
MetricsSnapshot service_metrics(CacheAdapter& called);

}  // namespace portico::cache::internal
