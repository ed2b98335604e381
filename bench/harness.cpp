#include "harness.hpp"

#include <fnmatch.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <latch>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#endif

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace portico::bench {

namespace {

std::uint64_t elapsed_ns(Clock::time_point from, Clock::time_point to) {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count());
}

bool cpu_has_flags(std::initializer_list<std::string_view> wanted) {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    line += ' ';
    for (std::string_view flag : wanted) {
      if (line.find(fmt::format(" {} ", flag)) == std::string::npos) return false;
    }
    return true;
  }
  return false;
}

// The per-call stopwatch. On x86 with an invariant TSC it reads the time-stamp counter, which
// costs a few nanoseconds where a steady_clock reading may cost tens (a paravirtual clock),
// calibrated once against steady_clock; elsewhere it reads steady_clock.
class Stopwatch {
 public:
  Stopwatch() {
#if defined(__x86_64__) || defined(__i386__)
    if (cpu_has_flags({"constant_tsc", "nonstop_tsc"})) {
      const Clock::time_point t0 = Clock::now();
      const std::uint64_t c0 = __rdtsc();
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      const Clock::time_point t1 = Clock::now();
      const std::uint64_t c1 = __rdtsc();
      if (c1 > c0) {
        ns_per_tick_ = static_cast<double>(elapsed_ns(t0, t1)) / static_cast<double>(c1 - c0);
        tsc_ = true;
      }
    }
#endif
  }

  std::uint64_t now() const {
#if defined(__x86_64__) || defined(__i386__)
    if (tsc_) return __rdtsc();
#endif
    return static_cast<std::uint64_t>(Clock::now().time_since_epoch().count());
  }
  std::uint64_t to_ns(std::uint64_t ticks) const {
    if (tsc_) return static_cast<std::uint64_t>(static_cast<double>(ticks) * ns_per_tick_);
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::duration(ticks)).count());
  }
  const char* source() const { return tsc_ ? "TSC" : "steady_clock"; }

 private:
  bool tsc_ = false;
  double ns_per_tick_ = 1;
};

const Stopwatch& stopwatch() {
  static const Stopwatch instance;
  return instance;
}

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// The q-quantile (nearest rank) of `samples`; reorders them.
double quantile_us(std::vector<std::uint64_t>& samples, double q) {
  if (samples.empty()) return 0;
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  rank = std::clamp<std::size_t>(rank, 1, samples.size()) - 1;
  std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank),
                   samples.end());
  return static_cast<double>(samples[rank]) / 1000.0;
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  const auto last = s.find_last_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  return s.substr(first, last - first + 1);
}

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return trim(line);
}

nlohmann::json summary_json(const Summary& s) {
  return {{"ops_per_s", s.ops_per_second},
          {"round_ops_per_s", s.round_ops_per_second},
          {"ops", s.ops},
          {"p50_us", s.p50_us},
          {"p99_us", s.p99_us},
          {"p999_us", s.p999_us}};
}

std::string entries_label(std::uint64_t n) {
  if (n >= 1000 && n % 1000000 == 0) return fmt::format("{}M", n / 1000000);
  if (n >= 1000 && n % 1000 == 0) return fmt::format("{}k", n / 1000);
  return std::to_string(n);
}

std::string ratio_cell(const RowResult& row) {
  if (!row.ratio) return "";
  std::string cell = fmt::format("{:.2f}x", *row.ratio);
  return cell;
}

std::string target_cell(const RowResult& row) {
  if (!row.has_target()) return "";
  return fmt::format("{} {:.2f}x {}", row.meets_target() ? "met" : "MISSED", row.target->minimum,
                     row.target->against);
}

}  // namespace

std::uint64_t Run::ops() const {
  std::uint64_t total = 0;
  for (std::uint64_t n : thread_ops) total += n;
  return total;
}

double Run::ops_per_second() const {
  double rate = 0;
  for (std::size_t t = 0; t < thread_ops.size(); ++t) {
    if (thread_busy_ns[t] > 0) {
      rate += static_cast<double>(thread_ops[t]) * 1e9 / static_cast<double>(thread_busy_ns[t]);
    }
  }
  return rate;
}

Run measure(unsigned threads, const Budget& budget,
            const std::function<void(unsigned, std::uint64_t)>& setup,
            const std::function<void(unsigned, std::uint64_t)>& op) {
  threads = std::max(1u, threads);
  std::vector<std::vector<std::uint64_t>> latencies(threads);
  std::vector<std::uint64_t> ops(threads, 0);
  std::vector<std::uint64_t> busy(threads, 0);
  const auto duration = static_cast<std::uint64_t>(budget.duration.count());
  const Stopwatch& watch = stopwatch();
  std::latch start(threads);

  auto worker = [&](unsigned t) {
    std::vector<std::uint64_t>& mine = latencies[t];
    mine.reserve(1 << 16);
    std::uint64_t spent = 0;
    std::uint64_t i = 0;
    start.arrive_and_wait();
    while (i < budget.max_ops && (spent < duration || i < budget.min_ops)) {
      if (setup) setup(t, i);
      const std::uint64_t begin = watch.now();
      op(t, i);
      const std::uint64_t ns = watch.to_ns(watch.now() - begin);
      mine.push_back(ns);
      spent += ns;
      ++i;
    }
    ops[t] = i;
    busy[t] = spent;
  };

  if (threads == 1) {
    worker(0);
  } else {
    std::vector<std::thread> pool;
    pool.reserve(threads);
    for (unsigned t = 0; t < threads; ++t) pool.emplace_back(worker, t);
    for (std::thread& thread : pool) thread.join();
  }

  Run run;
  run.thread_ops = std::move(ops);
  run.thread_busy_ns = std::move(busy);
  std::size_t total = 0;
  for (const auto& l : latencies) total += l.size();
  run.latencies_ns.reserve(total);
  for (const auto& l : latencies) run.latencies_ns.insert(run.latencies_ns.end(), l.begin(), l.end());
  return run;
}

Run measure(unsigned threads, const Budget& budget,
            const std::function<void(unsigned, std::uint64_t)>& op) {
  return measure(threads, budget, nullptr, op);
}

Summary summarize(std::vector<Run> runs) {
  Summary s;
  std::vector<std::uint64_t> pooled;
  for (Run& run : runs) {
    s.round_ops_per_second.push_back(run.ops_per_second());
    s.ops += run.ops();
    pooled.insert(pooled.end(), run.latencies_ns.begin(), run.latencies_ns.end());
    run.latencies_ns.clear();
    run.latencies_ns.shrink_to_fit();
  }
  s.ops_per_second = median(s.round_ops_per_second);
  s.p50_us = quantile_us(pooled, 0.50);
  s.p99_us = quantile_us(pooled, 0.99);
  s.p999_us = quantile_us(pooled, 0.999);
  return s;
}

RowResult run_row(RowResult row, unsigned rounds, const Side& subject, const Side* baseline) {
  rounds = std::max(1u, rounds);
  std::vector<Run> subject_runs;
  std::vector<Run> baseline_runs;
  for (unsigned r = 0; r < rounds; ++r) {
    if (baseline != nullptr && r % 2 == 0) baseline_runs.push_back((*baseline)(r));
    subject_runs.push_back(subject(r));
    if (baseline != nullptr && r % 2 == 1) baseline_runs.push_back((*baseline)(r));
  }
  std::vector<double> ratios;
  if (baseline != nullptr) {
    for (unsigned r = 0; r < rounds; ++r) {
      const double b = baseline_runs[r].ops_per_second();
      if (b > 0) ratios.push_back(subject_runs[r].ops_per_second() / b);
    }
  }
  row.subject = summarize(std::move(subject_runs));
  if (baseline != nullptr) {
    row.baseline = summarize(std::move(baseline_runs));
    if (!ratios.empty()) row.ratio = median(ratios);
  }
  return row;
}

double timer_overhead_ns() {
  const Stopwatch& watch = stopwatch();
  std::vector<double> trials;
  for (int trial = 0; trial < 5; ++trial) {
    constexpr int kReads = 200000;
    const std::uint64_t begin = watch.now();
    std::uint64_t last = begin;
    for (int i = 0; i < kReads; ++i) last = watch.now();
    trials.push_back(static_cast<double>(watch.to_ns(last - begin)) / kReads);
  }
  return median(trials);
}

std::string timer_source() { return stopwatch().source(); }

MachineInfo machine_info(const std::string& bench_dir) {
  MachineInfo info;
  {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("model name", 0) == 0) {
        info.cpu_model = trim(line.substr(line.find(':') + 1));
        break;
      }
    }
  }
  info.cpus = std::thread::hardware_concurrency();
  {
    std::ifstream in("/proc/meminfo");
    std::string key;
    std::uint64_t kb = 0;
    if (in >> key >> kb && key == "MemTotal:") info.memory_bytes = kb * 1024;
  }
  struct utsname names {};
  if (::uname(&names) == 0) info.kernel = fmt::format("{} {}", names.sysname, names.release);

  // The mount that holds the benchmark directory: the longest mount point that prefixes it.
  std::string device, fstype, best_mount;
  {
    std::ifstream in("/proc/mounts");
    std::string dev, mount, type, rest;
    while (in >> dev >> mount >> type && std::getline(in, rest)) {
      const bool prefix = bench_dir.rfind(mount, 0) == 0 &&
                          (mount == "/" || bench_dir.size() == mount.size() ||
                           bench_dir[mount.size()] == '/');
      if (prefix && mount.size() >= best_mount.size()) {
        best_mount = mount;
        device = dev;
        fstype = type;
      }
    }
  }
  std::string rotational;
  struct stat st {};
  if (::stat(bench_dir.c_str(), &st) == 0) {
    const std::string base = fmt::format("/sys/dev/block/{}:{}", major(st.st_dev), minor(st.st_dev));
    std::string rota = read_first_line(base + "/queue/rotational");
    if (rota.empty()) rota = read_first_line(base + "/../queue/rotational");
    if (!rota.empty()) rotational = rota == "1" ? ", rotational" : ", non-rotational";
  }
  info.disk = fmt::format("{} ({}{}) mounted on {}", device, fstype, rotational, best_mount);
  return info;
}

std::string format_rate(double ops_per_second) {
  if (ops_per_second >= 1e6) return fmt::format("{:.2f}M", ops_per_second / 1e6);
  if (ops_per_second >= 1e4) return fmt::format("{:.1f}k", ops_per_second / 1e3);
  if (ops_per_second >= 100) return fmt::format("{:.0f}", ops_per_second);
  return fmt::format("{:.2f}", ops_per_second);
}

std::string format_us(double us) {
  if (us >= 10000) return fmt::format("{:.0f}", us);
  if (us >= 100) return fmt::format("{:.0f}", us);
  if (us >= 10) return fmt::format("{:.1f}", us);
  return fmt::format("{:.2f}", us);
}

std::string markdown_table(const std::vector<RowResult>& rows) {
  std::string out;
  out +=
      "| row | entries | thr | ops/s | p50 us | p99 us | p999 us | baseline | base ops/s | "
      "base p50 | base p99 | base p999 | ratio | target |\n";
  out += "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|\n";
  for (const RowResult& row : rows) {
    std::string line = fmt::format("| {} | {} | {} | {} | {} | {} | {} |", row.name,
                                   entries_label(row.entries), row.threads,
                                   format_rate(row.subject.ops_per_second),
                                   format_us(row.subject.p50_us), format_us(row.subject.p99_us),
                                   format_us(row.subject.p999_us));
    if (row.baseline) {
      line += fmt::format(" {} | {} | {} | {} | {} |", row.baseline_name,
                          format_rate(row.baseline->ops_per_second),
                          format_us(row.baseline->p50_us), format_us(row.baseline->p99_us),
                          format_us(row.baseline->p999_us));
    } else if (!row.baseline_name.empty()) {
      line += fmt::format(" {} | | | | |", row.baseline_name);
    } else {
      line += " | | | | |";
    }
    line += fmt::format(" {} | {} |\n", ratio_cell(row), target_cell(row));
    out += line;
  }
  return out;
}

std::string markdown_scaling(const std::vector<RowResult>& rows) {
  std::map<std::string, std::map<std::uint64_t, const RowResult*>> by_name;
  std::vector<std::string> order;
  std::set<std::uint64_t> sizes;
  for (const RowResult& row : rows) {
    auto& sized = by_name[row.name];
    if (sized.empty()) order.push_back(row.name);
    sized[row.entries] = &row;
  }
  std::vector<std::string> scaled;
  for (const std::string& name : order) {
    if (by_name[name].size() < 2) continue;
    scaled.push_back(name);
    for (const auto& [n, row] : by_name[name]) sizes.insert(n);
  }
  if (scaled.empty()) return {};
  std::string out = "| row |";
  std::string rule = "|---|";
  for (std::uint64_t n : sizes) {
    out += fmt::format(" {} entries: ops/s, p50 us (ratio) |", entries_label(n));
    rule += "---:|";
  }
  out += "\n" + rule + "\n";
  for (const std::string& name : scaled) {
    out += "| " + name + " |";
    for (std::uint64_t n : sizes) {
      const auto it = by_name[name].find(n);
      if (it == by_name[name].end()) {
        out += " |";
        continue;
      }
      const RowResult& row = *it->second;
      out += fmt::format(" {}, {}", format_rate(row.subject.ops_per_second),
                         format_us(row.subject.p50_us));
      if (row.ratio) out += fmt::format(" ({:.2f}x)", *row.ratio);
      out += " |";
    }
    out += "\n";
  }
  return out;
}

std::string json_report(const std::string& program, const MachineInfo& machine,
                        const std::vector<std::pair<std::string, std::string>>& config,
                        double timer_overhead, const std::vector<RowResult>& rows) {
  nlohmann::json report;
  report["program"] = program;
  report["machine"] = {{"cpu_model", machine.cpu_model},
                       {"cpus", machine.cpus},
                       {"memory_bytes", machine.memory_bytes},
                       {"disk", machine.disk},
                       {"kernel", machine.kernel}};
  nlohmann::json cfg = nlohmann::json::object();
  for (const auto& [key, value] : config) cfg[key] = value;
  report["config"] = cfg;
  report["timer_overhead_ns"] = timer_overhead;
  nlohmann::json list = nlohmann::json::array();
  for (const RowResult& row : rows) {
    nlohmann::json r;
    r["name"] = row.name;
    r["group"] = row.group;
    r["description"] = row.description;
    r["entries"] = row.entries;
    r["threads"] = row.threads;
    r["subject_name"] = row.subject_name;
    r["subject"] = summary_json(row.subject);
    r["baseline_name"] = row.baseline_name;
    r["baseline_description"] = row.baseline_description;
    r["baseline"] = row.baseline ? summary_json(*row.baseline) : nlohmann::json(nullptr);
    r["ratio"] = row.ratio ? nlohmann::json(*row.ratio) : nlohmann::json(nullptr);
    if (row.target) {
      r["target"] = {{"minimum", row.target->minimum}, {"against", row.target->against}};
      r["meets_target"] = row.meets_target();
    } else {
      r["target"] = nullptr;
    }
    r["notes"] = row.notes;
    list.push_back(std::move(r));
  }
  report["rows"] = std::move(list);
  return report.dump(2) + "\n";
}

bool selected(const std::string& name, const std::string& selection) {
  if (selection.empty()) return true;
  std::stringstream in(selection);
  std::string glob;
  while (std::getline(in, glob, ',')) {
    glob = trim(glob);
    if (glob.empty()) continue;
    if (::fnmatch(glob.c_str(), name.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace portico::bench
