// MetricsRecorder: the counters behind a MetricsSnapshot, written on the hot path.
//
// Recording takes no lock: each call adds to relaxed atomics (its latency bucket and the
// latency sum; hits or misses for a lookup). The counters are kept in stripes, one per CPU up
// to kMaxStripes, each on cache lines of its own, and a thread writes the stripe of the CPU it
// runs on: concurrent callers on different CPUs never write the same cache line. A thread
// that moves between CPUs mid-call only costs some sharing, never a lost count (every update
// is an atomic addition). snapshot() adds the stripes up.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <sched.h>

#include <array>
#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include <portico/cache/metrics.hpp>

namespace portico::cache::internal {

// The histogram bucket of a call that took `elapsed`: the first whose upper bound it does not
// exceed.
inline std::size_t latency_bucket(std::chrono::nanoseconds elapsed) {
  const std::int64_t ns = elapsed.count();
  if (ns <= 1000) return 0;
  // Whole microseconds, rounded up: bucket i holds (2^(i-1), 2^i] us.
  const auto us = static_cast<std::uint64_t>((ns + 999) / 1000);
  const auto bucket = static_cast<std::size_t>(std::bit_width(us - 1));
  return bucket < LatencyHistogram::kBucketCount ? bucket : LatencyHistogram::kBucketCount - 1;
}

class MetricsRecorder {
 public:
  static constexpr std::size_t kMaxStripes = 16;

  MetricsRecorder();

  // A call that returned, and the keys it looked up that were found (hits) or not (misses).
  void record(Operation operation, std::chrono::nanoseconds elapsed, std::uint64_t hits = 0,
              std::uint64_t misses = 0) {
    Stripe& s = stripe();
    add_call(s.operations[static_cast<std::size_t>(operation)], elapsed);
    if (hits != 0) s.hits.fetch_add(hits, std::memory_order_relaxed);
    if (misses != 0) s.misses.fetch_add(misses, std::memory_order_relaxed);
  }
  // A call that threw.
  void record_error(Operation operation, std::chrono::nanoseconds elapsed) {
    OperationCounters& counters = stripe().operations[static_cast<std::size_t>(operation)];
    add_call(counters, elapsed);
    // After the call is counted: a snapshot never sees more errors than calls.
    counters.errors.fetch_add(1, std::memory_order_relaxed);
  }

  // Operations, hits and misses; the caller adds the adapter's statistics.
  MetricsSnapshot snapshot() const;

 private:
  struct OperationCounters {
    std::array<std::atomic<std::uint64_t>, LatencyHistogram::kBucketCount> buckets{};
    std::atomic<std::uint64_t> sum_ns{0};
    std::atomic<std::uint64_t> errors{0};
  };
  struct alignas(64) Stripe {
    std::array<OperationCounters, kOperationCount> operations{};
    std::atomic<std::uint64_t> hits{0};
    std::atomic<std::uint64_t> misses{0};
  };

  static void add_call(OperationCounters& counters, std::chrono::nanoseconds elapsed) {
    counters.buckets[latency_bucket(elapsed)].fetch_add(1, std::memory_order_relaxed);
    counters.sum_ns.fetch_add(static_cast<std::uint64_t>(elapsed.count()),
                              std::memory_order_relaxed);
  }

  Stripe& stripe() {
    // glibc answers sched_getcpu from the thread's rseq area, without a system call.
    const int cpu = sched_getcpu();
    return stripes_[static_cast<std::size_t>(cpu < 0 ? 0 : cpu) & stripe_mask_];
  }

  std::size_t stripe_mask_ = 0;  // stripe count - 1; the count is a power of two
  std::unique_ptr<Stripe[]> stripes_;
};

}  // namespace portico::cache::internal
