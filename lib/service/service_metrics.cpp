#include "service/service_metrics.hpp"

#include <portico/cache/metered_adapter.hpp>
#include <portico/cache/service.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

HealthReport CacheService::health() { return adapter().health(); }

PORTICO_CACHE_END_NAMESPACE

namespace portico::cache::internal {

std::shared_ptr<CacheAdapter> adapter_for_service(const std::shared_ptr<CacheAdapter>& given,
                                                  bool metered) {
  if (!metered || dynamic_cast<MeteredAdapter*>(given.get()) != nullptr) return given;
  return std::make_shared<MeteredAdapter>(given);
}

MetricsSnapshot service_metrics(CacheAdapter& called) {
  if (auto* metered = dynamic_cast<MeteredAdapter*>(&called)) return metered->metrics();
  MetricsSnapshot snapshot;
  snapshot.cache = called.get_stats();
  snapshot.evictions = snapshot.cache.evictions;
  return snapshot;
}

}  // namespace portico::cache::internal
