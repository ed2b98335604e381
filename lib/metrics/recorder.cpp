#include "metrics/recorder.hpp"

#include <algorithm>
#include <thread>

PORTICO_CACHE_BEGIN_NAMESPACE

std::string_view to_string(Operation operation) {
  switch (operation) {
    case Operation::get: return "get";
    case Operation::set: return "set";
    case Operation::erase: return "erase";
    case Operation::erase_by_pattern: return "erase_by_pattern";
    case Operation::erase_by_namespace: return "erase_by_namespace";
    case Operation::erase_by_tags: return "erase_by_tags";
    case Operation::clear: return "clear";
    case Operation::exists: return "exists";
    case Operation::cleanup_expired: return "cleanup_expired";
    case Operation::get_many: return "get_many";
    case Operation::set_many: return "set_many";
    case Operation::erase_many: return "erase_many";
  }
  return "unknown";
}

PORTICO_CACHE_END_NAMESPACE

namespace portico::cache::internal {

MetricsRecorder::MetricsRecorder() {
  const std::size_t cpus = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t stripes = std::min(std::bit_ceil(cpus), kMaxStripes);
  stripe_mask_ = stripes - 1;
  stripes_ = std::make_unique<Stripe[]>(stripes);
}

MetricsSnapshot MetricsRecorder::snapshot() const {
  constexpr auto relaxed = std::memory_order_relaxed;
  MetricsSnapshot snapshot;
  for (std::size_t s = 0; s <= stripe_mask_; ++s) {
    const Stripe& stripe = stripes_[s];
    for (std::size_t op = 0; op < kOperationCount; ++op) {
      const OperationCounters& counters = stripe.operations[op];
      OperationMetrics& metrics = snapshot.operations[op];
      for (std::size_t b = 0; b < LatencyHistogram::kBucketCount; ++b) {
        metrics.latency.counts[b] += counters.buckets[b].load(relaxed);
      }
      metrics.latency.sum += std::chrono::nanoseconds(counters.sum_ns.load(relaxed));
      metrics.errors += counters.errors.load(relaxed);
    }
    snapshot.hits += stripe.hits.load(relaxed);
    snapshot.misses += stripe.misses.load(relaxed);
  }
  for (OperationMetrics& metrics : snapshot.operations) metrics.calls = metrics.latency.count();
  return snapshot;
}

}  // namespace portico::cache::internal
