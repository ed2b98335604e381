// The measuring half of the benchmark programs: timed loops, latency percentiles, rows that
// compare a subject with its baseline, and the markdown and JSON reports.
//
// A row runs its subject and its baseline alternately for a few rounds (baseline first in
// even rounds, subject first in odd ones), so that the drift of a shared, noisy machine falls
// on both. Per round, ops/s is ops divided by the time spent inside the measured calls (set-up
// work between calls is not counted); the row reports the median round, latency percentiles
// over the samples of all rounds, and the median of the per-round ratios subject/baseline
// (higher is better for the subject: it is an ops/s ratio, or a time ratio inverted).
//
// Latencies include one reading of the stopwatch per call (the TSC on x86 with an invariant
// TSC, steady_clock elsewhere); its cost is measured at start-up and reported with the results.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace portico::bench {

using Clock = std::chrono::steady_clock;

// When a measured loop stops: after `duration` of measured time (per thread) once at least
// `min_ops` calls ran, or after `max_ops` calls, whichever comes first.
struct Budget {
  std::chrono::nanoseconds duration{std::chrono::milliseconds(200)};
  std::uint64_t min_ops = 1;
  std::uint64_t max_ops = UINT64_MAX;
};

// One measured loop: per-call latencies and the time they add up to, per thread.
struct Run {
  std::vector<std::uint64_t> latencies_ns{};
  std::vector<std::uint64_t> thread_ops{};
  std::vector<std::uint64_t> thread_busy_ns{};

  std::uint64_t ops() const;
  // Sum over threads of ops / measured time: the aggregate rate of concurrently busy threads.
  double ops_per_second() const;
};

// Runs `op(thread, i)` on `threads` threads (i counts each thread's calls from 0) until the
// budget is spent, each call preceded by an unmeasured `setup(thread, i)`. Threads start
// together. The callables must be safe to call concurrently for distinct thread indexes.
Run measure(unsigned threads, const Budget& budget,
            const std::function<void(unsigned, std::uint64_t)>& setup,
            const std::function<void(unsigned, std::uint64_t)>& op);
// The same without set-up work.
Run measure(unsigned threads, const Budget& budget,
            const std::function<void(unsigned, std::uint64_t)>& op);

struct Summary {
  double ops_per_second = 0;               // median round
  std::vector<double> round_ops_per_second{};
  std::uint64_t ops = 0;                   // all rounds
  double p50_us = 0, p99_us = 0, p999_us = 0;
};
Summary summarize(std::vector<Run> runs);

// A target on a row's ratio: the row meets it when ratio >= minimum.
struct Target {
  double minimum = 0;
  std::string against{};  // what the ratio is taken against, for the report
};

struct RowResult {
  std::string name{};
  std::string group{};        // "rocksdb", "memory", "redis", ...
  std::string description{};  // what one call does
  std::uint64_t entries = 0;
  unsigned threads = 1;
  std::string subject_name{};
  Summary subject{};
  std::string baseline_name{};  // empty: no baseline
  std::string baseline_description{};
  std::optional<Summary> baseline{};
  std::optional<double> ratio{};  // median of per-round subject/baseline ops/s ratios
  std::optional<Target> target{};
  std::vector<std::string> notes{};

  bool has_target() const { return target.has_value() && ratio.has_value(); }
  bool meets_target() const { return has_target() && *ratio >= target->minimum; }
};

// One side of a row: runs one round and returns its measurement.
using Side = std::function<Run(unsigned round)>;

RowResult run_row(RowResult row, unsigned rounds, const Side& subject, const Side* baseline);

// The cost of one stopwatch reading, in nanoseconds (median of a few trials), and what the
// stopwatch reads ("TSC" or "steady_clock").
double timer_overhead_ns();
std::string timer_source();

struct MachineInfo {
  std::string cpu_model;
  unsigned cpus = 0;
  std::uint64_t memory_bytes = 0;
  std::string disk;  // device, filesystem and rotational flag of the benchmark directory
  std::string kernel;
};
MachineInfo machine_info(const std::string& bench_dir);

std::string format_rate(double ops_per_second);
std::string format_us(double us);

// Markdown: one table of all rows.
std::string markdown_table(const std::vector<RowResult>& rows);
// Markdown: rows that ran at several entry counts, one column per count.
std::string markdown_scaling(const std::vector<RowResult>& rows);

// JSON report: {"program", "machine", "config", "timer_overhead_ns", "rows": [...]}.
std::string json_report(const std::string& program, const MachineInfo& machine,
                        const std::vector<std::pair<std::string, std::string>>& config,
                        double timer_overhead, const std::vector<RowResult>& rows);

// True when `name` matches one of the comma-separated shell globs in `selection` (or the
// selection is empty).
bool selected(const std::string& name, const std::string& selection);

}  // namespace portico::bench
