// portico-bench: the RocksDB and memory adapters side by side with their baselines.
//
// RocksDB adapter rows run against raw RocksDB in the same process, opened through the
// engine's own Database class, so both have exactly the same DBOptions, column families,
// table options (block cache, bloom filters, lz4), write buffers, compaction filters and merge
// operator. The baselines do the minimum work RocksDB itself needs:
// - plain get / get miss / set / overwrite: one Get (into a PinnableSlice) or one Put of the
//   plain key and value in the `data` family; get_many: one MultiGet;
// - indexed set: one WriteBatch holding the same keys and values the adapter writes (record,
//   three tag entries, namespace entry, created and expiry entries, the entry-count merge),
//   built with the engine's own encoding functions, without the adapter's read of the old
//   record, key lock, argument checks or bookkeeping;
// - erase by tag / namespace / pattern: a prefix iteration of the index (or of `data` for a
//   pattern) plus one WriteBatch deleting the same keys the adapter deletes and merging the
//   count, without reading the records back;
// - cleanup_expired: an iteration of the `expiry` ledger from the last cleanup's end up to now,
//   plus one WriteBatch with a DeleteRange over the keys found, the count merge and the
//   watermark (the adapter settles the ledger the same way and leaves the expired records to
//   the compaction filter);
// - reopen: rocksdb::DB::Open with the same options and a fresh block cache.
// Both sides read time from the same injected clock: the wall clock plus an offset that the
// cleanup row moves forward to expire entries without sleeping. (A ManualClock standing still
// would give every entry the same creation time, turning the time-ordered appends to the
// created and expiry indexes into inserts at random places, which costs more than in real use.)
// Memory adapter rows run against a std::unordered_map<std::string, std::string> behind one
// std::mutex; memory.get_hit_metered runs the same gets through a MeteredAdapter against the
// plain memory adapter, to measure what the metrics cost.
//
// Run with --help for the flags.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/metered_adapter.hpp>
#include <portico/cache/rocksdb_adapter.hpp>

#include "rocksdb/counter_merge.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"
#include "harness.hpp"
#include "workload.hpp"
#include "workload_flags.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using portico::cache::CacheItem;
using portico::cache::CacheKey;
using portico::cache::MemoryCacheAdapter;
using portico::cache::MemoryOptions;
using portico::cache::RocksDBCacheAdapter;
using portico::cache::RocksDBOptions;
using portico::cache::Value;
namespace internal = portico::cache::internal;
using internal::Family;

namespace portico::bench {
namespace {

struct Config : WorkloadFlags {
  std::vector<std::uint64_t> scales;  // extra entry counts for the scaling rows
  unsigned threads = 2;               // thread count of the multi-threaded rows
  std::size_t expired = 10000;        // entries per cleanup_expired
  unsigned reopens = 3;               // timed reopens per side and round
  std::uint64_t ops = 0;              // when set: exactly this many calls per side and round
  std::size_t block_cache_bytes = RocksDBOptions{}.block_cache_bytes;
  std::optional<std::chrono::milliseconds> maintenance = RocksDBOptions{}.maintenance_interval;
  std::string dir;  // parent of the temporary benchmark directory
  bool keep = false;
};

const std::vector<std::string> kRowNames = {
    "memory.get.1t", "memory.get.{T}t", "memory.get.scaling_{T}t", "memory.get_hit_metered",
    "memory.set.1t",
    "memory.set.{T}t", "rocksdb.get_hit_uniform", "rocksdb.get_hit_zipf", "rocksdb.get_miss",
    "rocksdb.get_many_{B}", "rocksdb.mixed_90_10.1t", "rocksdb.mixed_90_10.{T}t",
    "rocksdb.set_plain", "rocksdb.set_indexed", "rocksdb.overwrite", "rocksdb.erase_by_tags_{G}",
    "rocksdb.purge_tag_{G}", "rocksdb.erase_by_namespace_{G}", "rocksdb.erase_by_pattern_{G}",
    "rocksdb.cleanup_expired_{E}", "rocksdb.reopen"};
const std::vector<std::string> kScalingRows = {"rocksdb.get_hit_uniform", "rocksdb.get_miss",
                                               "rocksdb.erase_by_tags_*",
                                               "rocksdb.erase_by_namespace_*",
                                               "rocksdb.cleanup_expired_*"};

Config parse_args(int argc, char** argv) {
  Config config;
  CLI::App app(
      "portico-bench: the cache adapters against raw RocksDB doing the same work and a "
      "mutex-guarded std::unordered_map, in one process, rounds alternating",
      "portico-bench");
  add_workload_flags(app, config);
  constexpr auto most = std::numeric_limits<std::uint64_t>::max();
  app.add_option("--scales", config.scales,
                 "also run the scaling rows (get, erase by tag / namespace, cleanup) at these "
                 "entry counts (full mode: 10000,100000)")
      ->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(CLI::Range(std::uint64_t{100}, most));
  app.add_option("--threads", config.threads, "threads of the multi-threaded rows (default 2)")
      ->check(CLI::Range(2u, 256u));
  app.add_option("--expired", config.expired, "expired entries per cleanup_expired (default 10000)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 30));
  app.add_option("--reopens", config.reopens, "timed reopens per side and round (default 3)")
      ->check(CLI::Range(1u, 1000u));
  app.add_option("--ops", config.ops,
                 "exactly N calls per side and round instead of a duration (for profiles: "
                 "callgrind's inclusive cost / N is the cost of one call)");
  app.add_option_function<std::size_t>(
         "--block-cache-mb", [&config](std::size_t mb) { config.block_cache_bytes = mb << 20; },
         "RocksDBOptions::block_cache_bytes of both sides (default: the adapter's, 32 MiB)")
      ->check(CLI::Range(std::size_t{1}, std::size_t{1} << 20));
  app.add_option_function<std::uint64_t>(
      "--maintenance-ms",
      [&config](std::uint64_t ms) {
        config.maintenance =
            ms == 0 ? std::nullopt : std::optional(std::chrono::milliseconds(ms));
      },
      "the RocksDB adapter's maintenance interval; 0 runs no maintenance thread (default: "
      "the adapter's, 5000)");
  app.add_option("--dir", config.dir,
                 "where to create the temporary cache directories (default $TMPDIR or /tmp)");
  app.add_flag("--keep", config.keep, "keep the cache directories");
  bool list = false;
  app.add_flag("--list", list, "print the row names and exit");
  parse_or_exit(app, argc, argv);
  finish_workload_flags(app, config, argc, argv);
  if (config.mode == "full" && app.count("--scales") == 0) config.scales = {10000, 100000};

  if (list) {
    for (std::string name : kRowNames) {
      for (auto [from, to] : {std::pair<std::string, std::string>{"{T}", std::to_string(config.threads)},
                              {"{B}", std::to_string(config.batch)},
                              {"{G}", std::to_string(config.group)},
                              {"{E}", std::to_string(config.expired)}}) {
        if (const auto at = name.find(from); at != std::string::npos) name.replace(at, from.size(), to);
      }
      std::cout << name << '\n';
    }
    std::exit(0);
  }
  return config;
}

void say(const std::string& message) { std::cerr << "portico-bench: " << message << std::endl; }

// Counts results that contradict the workload (a miss where a hit was due, a wrong erase
// count); a row with any gets a note.
struct Anomalies {
  std::atomic<std::uint64_t> count{0};
  std::string first;
  std::mutex mutex;
  void add(const std::string& what) {
    if (count.fetch_add(1) == 0) {
      const std::lock_guard lock(mutex);
      first = what;
    }
  }
  void note_into(RowResult& row) {
    if (count.load() > 0) {
      row.notes.push_back(fmt::format("{} unexpected results, first: {}", count.load(), first));
    }
    count = 0;
  }
};

rocksdb::Slice slice(std::string_view s) { return {s.data(), s.size()}; }

Budget fixed_or_timed(const Config& config, std::uint64_t min_ops, std::uint64_t max_ops) {
  if (config.ops > 0) {
    return Budget{.duration = std::chrono::nanoseconds::max(), .min_ops = config.ops,
                  .max_ops = config.ops};
  }
  return Budget{.duration = config.duration, .min_ops = min_ops, .max_ops = max_ops};
}

void check_ok(const rocksdb::Status& status, const char* what) {
  if (!status.ok()) throw std::runtime_error(fmt::format("{}: {}", what, status.ToString()));
}

// --- the memory adapter and its mutex-guarded map -------------------------------------------

class MutexMap {
 public:
  std::optional<std::string> get(const std::string& key) {
    const std::lock_guard lock(mutex_);
    const auto it = map_.find(key);
    if (it == map_.end()) return std::nullopt;
    return it->second;
  }
  void set(const std::string& key, std::string value) {
    const std::lock_guard lock(mutex_);
    map_.insert_or_assign(key, std::move(value));
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::string> map_;
};

class MemoryBench {
 public:
  MemoryBench(const Config& config, std::vector<RowResult>& out) : config_(config), out_(out) {}

  void run() {
    const std::uint64_t n = config_.entries;
    MemoryOptions options;
    options.max_size = 2 * n;  // bounded: LRU bookkeeping on, never evicting here
    cache_ = std::make_unique<MemoryCacheAdapter>(options);
    for (std::uint64_t i = 0; i < n; ++i) {
      keys_.push_back(CacheKey{.key = make_key("key:", i, config_.key_size)});
    }
    for (std::uint64_t i = 0; i < kPool; ++i) {
      values_.emplace_back(make_value(i, config_.value_size));
      map_values_.push_back(values_.back().msgpack());
    }
    for (std::uint64_t begin = 0; begin < n; begin += 1000) {
      std::vector<CacheItem> items;
      for (std::uint64_t i = begin; i < std::min(n, begin + 1000); ++i) {
        items.push_back(CacheItem{.key = keys_[i], .value = values_[i % kPool], .ttl = {}});
        map_.set(keys_[i].key, map_values_[i % kPool]);
      }
      cache_->set_many(std::move(items));
    }

    const std::string t = std::to_string(config_.threads);
    std::optional<RowResult> get1, get_n;
    if (want("memory.get.1t") || want("memory.get.scaling_" + t + "t")) get1 = get_row(1);
    if (want("memory.get." + t + "t") || want("memory.get.scaling_" + t + "t")) {
      get_n = get_row(config_.threads);
    }
    if (get1 && want("memory.get.1t")) out_.push_back(*get1);
    if (get_n && want("memory.get." + t + "t")) out_.push_back(*get_n);
    if (get1 && get_n && want("memory.get.scaling_" + t + "t")) {
      RowResult row = *get_n;
      row.name = "memory.get.scaling_" + t + "t";
      row.description = fmt::format("memory get on {} threads against its own 1-thread figure", t);
      row.baseline_name = "memory adapter, 1 thread";
      row.baseline_description = get1->description;
      row.baseline = get1->subject;
      row.ratio = get_n->subject.ops_per_second / get1->subject.ops_per_second;
      row.target = Target{1.6, "own 1 thread"};
      row.notes.push_back("ratio of the medians of two separately measured rows");
      out_.push_back(row);
    }
    if (want("memory.get_hit_metered")) out_.push_back(metered_get_row());
    if (want("memory.set.1t")) out_.push_back(set_row(1));
    if (want("memory.set." + t + "t")) out_.push_back(set_row(config_.threads));
    cache_.reset();
  }

 private:
  static constexpr std::uint64_t kPool = 1024;

  bool want(const std::string& name) const { return selected(name, config_.rows); }

  Budget budget() const { return fixed_or_timed(config_, 1, UINT64_MAX); }

  RowResult get_row(unsigned threads) {
    say(fmt::format("memory.get.{}t", threads));
    const std::uint64_t n = keys_.size();
    std::vector<Rng> rngs;
    for (unsigned t = 0; t < threads; ++t) rngs.emplace_back(100 + t);
    std::vector<std::uint64_t> pick(threads);
    auto setup = [&](unsigned t, std::uint64_t) { pick[t] = rngs[t].below(n); };
    Side subject = [&](unsigned) {
      return measure(threads, budget(), setup, [&](unsigned t, std::uint64_t) {
        if (!cache_->get(keys_[pick[t]])) anomalies_.add("memory get missed");
      });
    };
    Side baseline = [&](unsigned) {
      return measure(threads, budget(), setup, [&](unsigned t, std::uint64_t) {
        if (!map_.get(keys_[pick[t]].key)) anomalies_.add("map get missed");
      });
    };
    RowResult row{.name = fmt::format("memory.get.{}t", threads),
                  .group = "memory",
                  .description = "get of a present key, uniform over the entries",
                  .entries = n,
                  .threads = threads,
                  .subject_name = "memory adapter",
                  .baseline_name = "mutex map",
                  .baseline_description =
                      "std::unordered_map<std::string, std::string> behind one std::mutex: find, "
                      "copy the value out"};
    row = run_row(row, config_.rounds, subject, &baseline);
    if (threads == 1) row.target = Target{1.2, "mutex map"};
    anomalies_.note_into(row);
    return row;
  }

  // The metrics decorator's cost: the same gets, through a MeteredAdapter wrapping the cache
  // and straight to the cache.
  RowResult metered_get_row() {
    say("memory.get_hit_metered");
    const std::uint64_t n = keys_.size();
    // Borrowed: cache_ outlives the decorator.
    portico::cache::MeteredAdapter metered(
        std::shared_ptr<portico::cache::CacheAdapter>(std::shared_ptr<void>(), cache_.get()));
    Rng rng(300);
    std::uint64_t pick = 0;
    auto setup = [&](unsigned, std::uint64_t) { pick = rng.below(n); };
    Side subject = [&](unsigned) {
      return measure(1, budget(), setup, [&](unsigned, std::uint64_t) {
        if (!metered.get(keys_[pick])) anomalies_.add("metered get missed");
      });
    };
    Side baseline = [&](unsigned) {
      return measure(1, budget(), setup, [&](unsigned, std::uint64_t) {
        if (!cache_->get(keys_[pick])) anomalies_.add("memory get missed");
      });
    };
    RowResult row{.name = "memory.get_hit_metered",
                  .group = "memory",
                  .description = "get of a present key through a MeteredAdapter (latency "
                                 "histogram, hit count), uniform over the entries",
                  .entries = n,
                  .threads = 1,
                  .subject_name = "metered memory adapter",
                  .baseline_name = "memory adapter",
                  .baseline_description = "the same get on the memory adapter itself"};
    row = run_row(row, config_.rounds, subject, &baseline);
    row.target = Target{0.97, "memory adapter"};
    anomalies_.note_into(row);
    return row;
  }

  RowResult set_row(unsigned threads) {
    say(fmt::format("memory.set.{}t", threads));
    const std::uint64_t n = keys_.size();
    std::vector<Rng> rngs;
    for (unsigned t = 0; t < threads; ++t) rngs.emplace_back(200 + t);
    std::vector<std::uint64_t> pick(threads);
    std::vector<Value> pending(threads);
    std::vector<std::string> pending_map(threads);
    Side subject = [&](unsigned) {
      return measure(
          threads, budget(),
          [&](unsigned t, std::uint64_t i) {
            pick[t] = rngs[t].below(n);
            pending[t] = values_[i % kPool];
          },
          [&](unsigned t, std::uint64_t) { cache_->set(keys_[pick[t]], std::move(pending[t])); });
    };
    Side baseline = [&](unsigned) {
      return measure(
          threads, budget(),
          [&](unsigned t, std::uint64_t i) {
            pick[t] = rngs[t].below(n);
            pending_map[t] = map_values_[i % kPool];
          },
          [&](unsigned t, std::uint64_t) {
            map_.set(keys_[pick[t]].key, std::move(pending_map[t]));
          });
    };
    RowResult row{.name = fmt::format("memory.set.{}t", threads),
                  .group = "memory",
                  .description = "overwrite of a present key, uniform over the entries",
                  .entries = n,
                  .threads = threads,
                  .subject_name = "memory adapter",
                  .baseline_name = "mutex map",
                  .baseline_description = "insert_or_assign into the mutex-guarded map"};
    row = run_row(row, config_.rounds, subject, &baseline);
    anomalies_.note_into(row);
    return row;
  }

  const Config& config_;
  std::vector<RowResult>& out_;
  std::unique_ptr<MemoryCacheAdapter> cache_;
  MutexMap map_;
  std::vector<CacheKey> keys_;
  std::vector<Value> values_;
  std::vector<std::string> map_values_;
  Anomalies anomalies_;
};

// --- the RocksDB adapter and raw RocksDB ------------------------------------------------------

// The wall clock, plus an offset that only grows: time passes as in real use, and the cleanup
// row jumps ahead to expire what it wrote without sleeping.
class SteppedClock final : public portico::cache::Clock {
 public:
  portico::cache::TimePoint now() const override {
    return std::chrono::system_clock::now() +
           std::chrono::nanoseconds(offset_ns_.load(std::memory_order_relaxed));
  }
  void advance(std::chrono::nanoseconds by) { offset_ns_.fetch_add(by.count()); }

 private:
  std::atomic<std::int64_t> offset_ns_{0};
};

class RocksBench {
 public:
  RocksBench(const Config& config, std::uint64_t entries, const fs::path& root,
             std::vector<RowResult>& out, bool scaling_only)
      : config_(config),
        n_(entries),
        out_(out),
        scaling_only_(scaling_only),
        adapter_dir_(root / fmt::format("adapter-{}", entries)),
        raw_dir_(root / fmt::format("raw-{}", entries)),
        clock_(std::make_shared<SteppedClock>()),
        zipf_(entries, 0.99) {
    options_.maintenance_interval = config.maintenance;
    options_.block_cache_bytes = config.block_cache_bytes;
    options_.clock = clock_;
  }

  void run() {
    populate();
    const std::string t = std::to_string(config_.threads);
    const auto g = std::to_string(config_.group);
    if (want("rocksdb.get_hit_uniform")) get_hit_row(false);
    if (want("rocksdb.get_hit_zipf")) get_hit_row(true);
    if (want("rocksdb.get_miss")) get_miss_row();
    if (want("rocksdb.get_many_" + std::to_string(config_.batch))) get_many_row();
    if (want("rocksdb.mixed_90_10.1t")) mixed_row(1);
    if (want("rocksdb.mixed_90_10." + t + "t")) mixed_row(config_.threads);
    if (want("rocksdb.set_plain")) set_plain_row();
    if (want("rocksdb.set_indexed")) set_indexed_row();
    if (want("rocksdb.overwrite")) overwrite_row();
    if (want("rocksdb.erase_by_tags_" + g)) erase_group_row(Family::tags);
    if (want("rocksdb.purge_tag_" + g)) purge_tag_row();
    if (want("rocksdb.erase_by_namespace_" + g)) erase_group_row(Family::namespaces);
    if (want("rocksdb.erase_by_pattern_" + g)) erase_pattern_row();
    if (want("rocksdb.cleanup_expired_" + std::to_string(config_.expired))) cleanup_row();
    if (want("rocksdb.reopen")) reopen_row();
    cache_.reset();
    raw_.reset();
  }

 private:
  static constexpr std::uint64_t kPool = 1024;

  bool want(const std::string& name) const {
    if (!selected(name, config_.rows)) return false;
    if (!scaling_only_) return true;
    for (const std::string& glob : kScalingRows) {
      if (selected(name, glob)) return true;
    }
    return false;
  }

  Budget budget(std::uint64_t min_ops = 1, std::uint64_t max_ops = UINT64_MAX) const {
    return fixed_or_timed(config_, min_ops, max_ops);
  }

  std::int64_t now_ns() const { return internal::to_nanos(clock_->now()); }
  rocksdb::ColumnFamilyHandle* family(Family f) { return raw_->family(f); }

  RowResult row_named(std::string name, std::string description, std::string baseline,
                      unsigned threads = 1) {
    return RowResult{.name = std::move(name),
                     .group = "rocksdb",
                     .description = std::move(description),
                     .entries = n_,
                     .threads = threads,
                     .subject_name = "RocksDB adapter",
                     .baseline_name = "raw RocksDB",
                     .baseline_description = std::move(baseline)};
  }

  void finish(RowResult row) {
    anomalies_.note_into(row);
    say(fmt::format("{} at {} entries: {} ops/s, ratio {}", row.name, n_,
                    format_rate(row.subject.ops_per_second),
                    row.ratio ? fmt::format("{:.2f}x", *row.ratio) : "-"));
    out_.push_back(std::move(row));
  }

  void open_raw() {
    raw_ = std::make_unique<internal::Database>(
        internal::OpenRequest{.dir = raw_dir_, .options = options_, .mode = internal::OpenMode::read_write});
  }

  void open_cache() { cache_ = std::make_unique<RocksDBCacheAdapter>(adapter_dir_, options_); }

  // The record and index entries of one entry, as the adapter writes them for a new entry.
  void add_indexed_put(rocksdb::WriteBatch& batch, const CacheKey& key,
                       std::string_view value_msgpack, std::optional<std::int64_t> expires_ns,
                       std::int64_t now) {
    const std::string id = internal::encode_id(key);
    internal::RecordHeader header{.created_ns = now,
                                  .expires_ns = expires_ns,
                                  .hit_count = 0,
                                  .last_accessed_ns = now,
                                  .tags = key.tags};
    batch.Put(family(Family::data), id, internal::encode_record(header, value_msgpack));
    const std::string index_value = internal::encode_index_value(now, expires_ns);
    for (const std::string& tag : key.tags) {
      batch.Put(family(Family::tags), internal::group_index_key(tag, id), index_value);
    }
    if (key.ns) {
      batch.Put(family(Family::namespaces), internal::group_index_key(*key.ns, id), index_value);
    }
    batch.Put(family(Family::created), internal::created_index_key(now, id), index_value);
    if (expires_ns) {
      batch.Put(family(Family::expiry), internal::expiry_index_key(*expires_ns, now, id),
                rocksdb::Slice());
    }
  }

  void merge_count(rocksdb::WriteBatch& batch, std::int64_t delta) {
    batch.Merge(family(Family::meta), std::string(internal::kMetaEntryCount),
                internal::encode_counter(delta));
  }

  void compact_raw() {
    rocksdb::CompactRangeOptions options;
    options.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    for (std::size_t i = 0; i < internal::kFamilyCount; ++i) {
      check_ok(raw_->db().CompactRange(options, family(static_cast<Family>(i)), nullptr, nullptr),
               "compacting");
    }
  }

  void populate() {
    fs::create_directories(adapter_dir_.parent_path());
    open_cache();
    open_raw();
    for (std::uint64_t i = 0; i < n_; ++i) {
      keys_.push_back(CacheKey{.key = make_key("key:", i, config_.key_size)});
    }
    for (std::uint64_t i = 0; i < kPool; ++i) {
      values_.emplace_back(make_value(i, config_.value_size));
      raw_values_.push_back(make_value(i, config_.value_size));
    }
    say(fmt::format("populating {} entries (adapter and raw RocksDB)", n_));
    const Clock::time_point begin = Clock::now();
    for (std::uint64_t first = 0; first < n_; first += 1000) {
      std::vector<CacheItem> items;
      rocksdb::WriteBatch batch;
      for (std::uint64_t i = first; i < std::min(n_, first + 1000); ++i) {
        items.push_back(CacheItem{.key = keys_[i], .value = values_[i % kPool], .ttl = {}});
        batch.Put(family(Family::data), keys_[i].key, raw_values_[i % kPool]);
      }
      cache_->set_many(std::move(items));
      check_ok(raw_->db().Write(rocksdb::WriteOptions(), &batch), "populating");
    }
    // Reads then find the data in table files, as in a cache that has been running a while.
    cache_->compact();
    compact_raw();
    say(fmt::format("populated and compacted in {:.1f} s",
                    std::chrono::duration<double>(Clock::now() - begin).count()));
  }

  // --- reads ---------------------------------------------------------------------------------

  void get_hit_row(bool zipfian) {
    Rng rng(zipfian ? 11 : 12);
    std::uint64_t pick = 0;
    auto setup = [&](unsigned, std::uint64_t) {
      pick = zipfian ? zipf_.next(rng) : rng.below(n_);
    };
    Side subject = [&](unsigned) {
      return measure(1, budget(), setup, [&](unsigned, std::uint64_t) {
        if (!cache_->get(keys_[pick])) anomalies_.add("adapter get missed");
      });
    };
    Side baseline = [&](unsigned) {
      return measure(1, budget(), setup, [&](unsigned, std::uint64_t) {
        rocksdb::PinnableSlice value;
        const rocksdb::Status status = raw_->db().Get(rocksdb::ReadOptions(), family(Family::data),
                                                      slice(keys_[pick].key), &value);
        if (!status.ok()) anomalies_.add("raw get: " + status.ToString());
      });
    };
    RowResult row = row_named(
        zipfian ? "rocksdb.get_hit_zipf" : "rocksdb.get_hit_uniform",
        zipfian ? "get of a present key, zipfian (0.99, scrambled) over the entries"
                : "get of a present key, uniform over the entries",
        "Get into a PinnableSlice");
    row = run_row(row, config_.rounds, subject, &baseline);
    row.target = Target{0.90, "raw RocksDB"};
    finish(std::move(row));
  }

  void get_miss_row() {
    Rng rng(13);
    CacheKey key;
    auto setup = [&](unsigned, std::uint64_t) {
      key.key = miss_key(rng.below(n_), config_.key_size);
    };
    Side subject = [&](unsigned) {
      return measure(1, budget(), setup, [&](unsigned, std::uint64_t) {
        if (cache_->get(key)) anomalies_.add("adapter get hit a missing key");
      });
    };
    Side baseline = [&](unsigned) {
      return measure(1, budget(), setup, [&](unsigned, std::uint64_t) {
        rocksdb::PinnableSlice value;
        const rocksdb::Status status = raw_->db().Get(rocksdb::ReadOptions(), family(Family::data),
                                                      slice(key.key), &value);
        if (!status.IsNotFound()) anomalies_.add("raw get of a missing key: " + status.ToString());
      });
    };
    RowResult row = row_named("rocksdb.get_miss", "get of an absent key", "Get of an absent key");
    row = run_row(row, config_.rounds, subject, &baseline);
    row.target = Target{0.80, "raw RocksDB"};
    finish(std::move(row));
  }

  void get_many_row() {
    const std::size_t b = config_.batch;
    Rng rng(14);
    std::vector<CacheKey> batch(b);
    std::vector<rocksdb::Slice> slices(b);
    auto setup = [&](unsigned, std::uint64_t) {
      for (std::size_t i = 0; i < b; ++i) {
        batch[i] = keys_[rng.below(n_)];
        slices[i] = slice(batch[i].key);
      }
    };
    Side subject = [&](unsigned) {
      return measure(1, budget(), setup, [&](unsigned, std::uint64_t) {
        const auto entries = cache_->get_many(batch);
        for (const auto& entry : entries) {
          if (!entry) anomalies_.add("adapter get_many missed");
        }
      });
    };
    Side baseline = [&](unsigned) {
      return measure(1, budget(), setup, [&](unsigned, std::uint64_t) {
        std::vector<rocksdb::PinnableSlice> values(b);
        std::vector<rocksdb::Status> statuses(b);
        raw_->db().MultiGet(rocksdb::ReadOptions(), family(Family::data), b, slices.data(),
                            values.data(), statuses.data());
        for (const auto& status : statuses) {
          if (!status.ok()) anomalies_.add("raw MultiGet: " + status.ToString());
        }
      });
    };
    RowResult row = row_named(fmt::format("rocksdb.get_many_{}", b),
                              fmt::format("get_many of {} present keys, uniform (one op = one call)", b),
                              "MultiGet of the same keys");
    finish(run_row(row, config_.rounds, subject, &baseline));
  }

  void mixed_row(unsigned threads) {
    std::vector<Rng> rngs;
    for (unsigned t = 0; t < threads; ++t) rngs.emplace_back(300 + t);
    // Each thread's next call, on a cache line of its own (not a std::vector<bool>, whose
    // elements share bytes: two threads writing theirs would race).
    struct alignas(64) NextCall {
      std::uint64_t pick = 0;
      bool is_set = false;
      Value pending{};
    };
    std::vector<NextCall> next(threads);
    auto setup = [&](unsigned t, std::uint64_t i) {
      next[t].pick = rngs[t].below(n_);
      next[t].is_set = rngs[t].below(10) == 0;
      if (next[t].is_set) next[t].pending = values_[i % kPool];
    };
    Side subject = [&](unsigned) {
      return measure(threads, budget(), setup, [&](unsigned t, std::uint64_t) {
        if (next[t].is_set) {
          cache_->set(keys_[next[t].pick], std::move(next[t].pending));
        } else if (!cache_->get(keys_[next[t].pick])) {
          anomalies_.add("adapter get missed");
        }
      });
    };
    Side baseline = [&](unsigned) {
      return measure(threads, budget(), setup, [&](unsigned t, std::uint64_t i) {
        if (next[t].is_set) {
          check_ok(raw_->db().Put(rocksdb::WriteOptions(), family(Family::data),
                                  slice(keys_[next[t].pick].key), raw_values_[i % kPool]),
                   "raw put");
        } else {
          rocksdb::PinnableSlice value;
          if (!raw_->db().Get(rocksdb::ReadOptions(), family(Family::data),
                              slice(keys_[next[t].pick].key), &value).ok()) {
            anomalies_.add("raw get missed");
          }
        }
      });
    };
    RowResult row = row_named(fmt::format("rocksdb.mixed_90_10.{}t", threads),
                              "90% get / 10% overwrite of present keys, uniform",
                              "90% Get / 10% Put", threads);
    finish(run_row(row, config_.rounds, subject, &baseline));
  }

  // --- writes --------------------------------------------------------------------------------

  void set_plain_row() {
    std::uint64_t next_cache = 0, next_raw = 0;
    CacheKey key;
    Value pending;
    Side subject = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t i) {
            key.key = make_key("new:", next_cache++, config_.key_size);
            pending = values_[i % kPool];
          },
          [&](unsigned, std::uint64_t) { cache_->set(key, std::move(pending)); });
    };
    Side baseline = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t) {
            key.key = make_key("new:", next_raw++, config_.key_size);
          },
          [&](unsigned, std::uint64_t i) {
            check_ok(raw_->db().Put(rocksdb::WriteOptions(), family(Family::data), slice(key.key),
                                    raw_values_[i % kPool]),
                     "raw put");
          });
    };
    RowResult row = row_named("rocksdb.set_plain", "set of a new key, no ttl, namespace or tags",
                              "Put of the key and value");
    row = run_row(row, config_.rounds, subject, &baseline);
    row.target = Target{0.70, "raw RocksDB"};
    finish(std::move(row));
  }

  static CacheKey indexed_key(std::uint64_t i, std::size_t key_size) {
    return CacheKey{.key = make_key("idx:", i, key_size),
                    .ns = fmt::format("ns-{}", i % 16),
                    .tags = {fmt::format("tag-a{}", i % 64), fmt::format("tag-b{}", i % 512),
                             fmt::format("tag-c{}", i % 4096)}};
  }

  void set_indexed_row() {
    std::uint64_t next_cache = 0, next_raw = 0;
    CacheKey key;
    Value pending;
    const portico::cache::Ttl ttl = 720h;  // 30 days: the cleanup row's clock jumps never reach it
    Side subject = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t i) {
            key = indexed_key(next_cache++, config_.key_size);
            pending = values_[i % kPool];
          },
          [&](unsigned, std::uint64_t) { cache_->set(key, std::move(pending), ttl); });
    };
    Side baseline = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t) { key = indexed_key(next_raw++, config_.key_size); },
          [&](unsigned, std::uint64_t i) {
            const std::int64_t now = now_ns();
            rocksdb::WriteBatch batch;
            add_indexed_put(batch, key, values_[i % kPool].msgpack(),
                            now + std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count(),
                            now);
            merge_count(batch, 1);
            check_ok(raw_->db().Write(rocksdb::WriteOptions(), &batch), "raw indexed write");
          });
    };
    RowResult row = row_named(
        "rocksdb.set_indexed", "set of a new key with ttl, namespace and 3 tags",
        "one WriteBatch of the same 8 keys in the same families (record, 3 tags, namespace, "
        "created, expiry, count merge), encoded with the engine's encoding");
    row = run_row(row, config_.rounds, subject, &baseline);
    row.target = Target{0.80, "raw RocksDB batch"};
    finish(std::move(row));
  }

  void overwrite_row() {
    Rng rng(15);
    std::uint64_t pick = 0;
    Value pending;
    Side subject = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t i) {
            pick = rng.below(n_);
            pending = values_[(i + 7) % kPool];
          },
          [&](unsigned, std::uint64_t) { cache_->set(keys_[pick], std::move(pending)); });
    };
    Side baseline = [&](unsigned) {
      return measure(
          1, budget(), [&](unsigned, std::uint64_t) { pick = rng.below(n_); },
          [&](unsigned, std::uint64_t i) {
            check_ok(raw_->db().Put(rocksdb::WriteOptions(), family(Family::data),
                                    slice(keys_[pick].key), raw_values_[(i + 7) % kPool]),
                     "raw put");
          });
    };
    RowResult row = row_named("rocksdb.overwrite", "set of a present plain key, uniform",
                              "Put over the present key");
    finish(run_row(row, config_.rounds, subject, &baseline));
  }

  // --- invalidation --------------------------------------------------------------------------

  // Writes `items` to the adapter (set_many) or their mirror to raw RocksDB.
  void insert_group(bool into_cache, std::vector<CacheItem> items) {
    if (into_cache) {
      cache_->set_many(std::move(items));
      return;
    }
    const std::int64_t now = now_ns();
    for (std::size_t first = 0; first < items.size(); first += 512) {
      rocksdb::WriteBatch batch;
      const std::size_t last = std::min(items.size(), first + 512);
      for (std::size_t i = first; i < last; ++i) {
        std::optional<std::int64_t> expires;
        if (items[i].ttl) {
          expires = now + std::chrono::duration_cast<std::chrono::nanoseconds>(*items[i].ttl).count();
        }
        add_indexed_put(batch, items[i].key, items[i].value.msgpack(), expires, now);
      }
      merge_count(batch, static_cast<std::int64_t>(last - first));
      check_ok(raw_->db().Write(rocksdb::WriteOptions(), &batch), "raw group insert");
    }
  }

  // A fresh group of `size` entries: keys "<prefix><seq>:<n>", with the given tags and ns.
  std::vector<CacheItem> make_group(const std::string& prefix, std::size_t size,
                                    const std::optional<std::string>& ns,
                                    const std::vector<std::string>& tags,
                                    std::optional<portico::cache::Ttl> ttl) {
    std::vector<CacheItem> items;
    items.reserve(size);
    for (std::size_t j = 0; j < size; ++j) {
      items.push_back(CacheItem{.key = CacheKey{.key = make_key(prefix, j, config_.key_size),
                                                .ns = ns,
                                                .tags = tags},
                                .value = values_[j % kPool],
                                .ttl = ttl});
    }
    return items;
  }

  // Raw: delete what an index scan found, with the count merge, in one batch.
  std::size_t raw_erase_found(Family index_family, const std::string& prefix) {
    rocksdb::ReadOptions read;
    const std::string upper = internal::prefix_successor(prefix);
    rocksdb::Slice upper_slice(upper);
    if (!upper.empty()) read.iterate_upper_bound = &upper_slice;
    std::unique_ptr<rocksdb::Iterator> it(raw_->db().NewIterator(read, family(index_family)));
    rocksdb::WriteBatch batch;
    std::size_t found = 0;
    for (it->Seek(slice(prefix)); it->Valid(); it->Next()) {
      const std::string_view key = it->key().ToStringView();
      const auto index = internal::decode_index_value(it->value().ToStringView());
      const std::string_view id = internal::group_index_id(key);
      if (!index || id.empty()) throw std::runtime_error("damaged raw index entry");
      batch.Delete(family(Family::data), slice(id));
      batch.Delete(family(index_family), slice(key));
      batch.Delete(family(Family::created), internal::created_index_key(index->created_ns, id));
      ++found;
    }
    check_ok(it->status(), "raw index scan");
    merge_count(batch, -static_cast<std::int64_t>(found));
    check_ok(raw_->db().Write(rocksdb::WriteOptions(), &batch), "raw erase");
    return found;
  }

  void erase_group_row(Family index_family) {
    const bool by_tag = index_family == Family::tags;
    const std::size_t g = config_.group;
    std::string group;
    std::uint64_t seq = 0;
    auto make_setup = [&](bool into_cache) {
      return [&, into_cache](unsigned, std::uint64_t) {
        ++seq;
        group = fmt::format("{}{}-{}", by_tag ? "gt" : "gn", into_cache ? "a" : "r", seq);
        const std::string prefix = fmt::format("{}{}:", by_tag ? "t" : "n", seq);
        // erase_by_tags leaves its records to the maintenance purge: purge the previous
        // call's here, untimed, rather than in the background of the timed calls (the
        // rocksdb.purge_tag row times that part).
        if (into_cache && by_tag) cache_->cleanup_expired();
        insert_group(into_cache,
                     by_tag ? make_group(prefix, g, std::nullopt, {group}, std::nullopt)
                            : make_group(prefix, g, group, {}, std::nullopt));
      };
    };
    Side subject = [&](unsigned) {
      return measure(1, budget(3, 200), make_setup(true), [&](unsigned, std::uint64_t) {
        const std::size_t erased =
            by_tag ? cache_->erase_by_tags({group}) : cache_->erase_by_namespace(group);
        if (erased != g) anomalies_.add(fmt::format("adapter erased {} of {}", erased, g));
      });
    };
    Side baseline = [&](unsigned) {
      return measure(1, budget(3, 200), make_setup(false), [&](unsigned, std::uint64_t) {
        const std::size_t erased = raw_erase_found(index_family, internal::group_prefix(group));
        if (erased != g) anomalies_.add(fmt::format("raw erased {} of {}", erased, g));
      });
    };
    RowResult row = row_named(
        fmt::format("rocksdb.erase_by_{}_{}", by_tag ? "tags" : "namespace", g),
        fmt::format("{} of one {} covering {} fresh entries (set just before, untimed)",
                    by_tag ? "erase_by_tags" : "erase_by_namespace", by_tag ? "tag" : "namespace",
                    g),
        fmt::format("prefix iteration of the {} index, one WriteBatch deleting record, index "
                    "and created entries, count merge",
                    by_tag ? "tags" : "namespaces"));
    finish(run_row(row, config_.rounds, subject, &baseline));
  }

  // The deferred half of erase_by_tags: the purge that deletes the erased records.
  void purge_tag_row() {
    const std::size_t g = config_.group;
    std::string tag;
    std::uint64_t seq = 0;
    auto make_setup = [&](bool into_cache) {
      return [&, into_cache](unsigned, std::uint64_t) {
        ++seq;
        tag = fmt::format("gp{}-{}", into_cache ? "a" : "r", seq);
        insert_group(into_cache,
                     make_group(fmt::format("u{}:", seq), g, std::nullopt, {tag}, std::nullopt));
        if (into_cache && cache_->erase_by_tags({tag}) != g) anomalies_.add("erase before purge");
      };
    };
    Side subject = [&](unsigned) {
      return measure(1, budget(3, 200), make_setup(true), [&](unsigned, std::uint64_t) {
        cache_->cleanup_expired();
        if (cache_->exists(CacheKey{.key = make_key(fmt::format("u{}:", seq), 0, config_.key_size)})) {
          anomalies_.add("purge left an erased entry readable");
        }
      });
    };
    Side baseline = [&](unsigned) {
      return measure(1, budget(3, 200), make_setup(false), [&](unsigned, std::uint64_t) {
        const std::size_t erased = raw_erase_found(Family::tags, internal::group_prefix(tag));
        if (erased != g) anomalies_.add(fmt::format("raw erased {} of {}", erased, g));
      });
    };
    RowResult row = row_named(
        fmt::format("rocksdb.purge_tag_{}", g),
        fmt::format("cleanup_expired() purging the {} records of one tag erase_by_tags erased "
                    "just before (untimed), which maintenance does in the background",
                    g),
        "the eager erase: prefix iteration of the tags index, one WriteBatch deleting record, "
        "index and created entries, count merge");
    finish(run_row(row, config_.rounds, subject, &baseline));
  }

  void erase_pattern_row() {
    const std::size_t g = config_.group;
    std::string prefix;
    std::uint64_t seq = 0;
    auto make_setup = [&](bool into_cache) {
      return [&, into_cache](unsigned, std::uint64_t) {
        ++seq;
        prefix = fmt::format("p{}{}:", into_cache ? "a" : "r", seq);
        insert_group(into_cache, make_group(prefix, g, std::nullopt, {}, std::nullopt));
      };
    };
    Side subject = [&](unsigned) {
      return measure(1, budget(3, 200), make_setup(true), [&](unsigned, std::uint64_t) {
        const std::size_t erased = cache_->erase_by_pattern(prefix + "*");
        if (erased != g) anomalies_.add(fmt::format("adapter erased {} of {}", erased, g));
      });
    };
    Side baseline = [&](unsigned) {
      return measure(1, budget(3, 200), make_setup(false), [&](unsigned, std::uint64_t) {
        rocksdb::ReadOptions read;
        const std::string upper = internal::prefix_successor(prefix);
        rocksdb::Slice upper_slice(upper);
        read.iterate_upper_bound = &upper_slice;
        std::unique_ptr<rocksdb::Iterator> it(raw_->db().NewIterator(read, family(Family::data)));
        rocksdb::WriteBatch batch;
        std::size_t found = 0;
        for (it->Seek(slice(prefix)); it->Valid(); it->Next()) {
          // The created entry's key needs the creation time, which only the record holds.
          const auto record = internal::decode_record(it->value().ToStringView());
          batch.Delete(family(Family::data), it->key());
          batch.Delete(family(Family::created),
                       internal::created_index_key(record.header.created_ns, it->key().ToStringView()));
          ++found;
        }
        check_ok(it->status(), "raw data scan");
        merge_count(batch, -static_cast<std::int64_t>(found));
        check_ok(raw_->db().Write(rocksdb::WriteOptions(), &batch), "raw erase");
        if (found != g) anomalies_.add(fmt::format("raw erased {} of {}", found, g));
      });
    };
    RowResult row = row_named(
        fmt::format("rocksdb.erase_by_pattern_{}", g),
        fmt::format("erase_by_pattern(\"<prefix>*\") covering {} fresh entries", g),
        "prefix iteration of data, one WriteBatch deleting record and created entries, count merge");
    finish(run_row(row, config_.rounds, subject, &baseline));
  }

  void cleanup_row() {
    const std::size_t e = config_.expired;
    std::uint64_t seq = 0;
    std::string raw_watermark;  // where the raw side's last cleanup ended
    auto make_setup = [&](bool into_cache) {
      return [&, into_cache](unsigned, std::uint64_t) {
        ++seq;
        insert_group(into_cache, make_group(fmt::format("x{}{}:", into_cache ? "a" : "r", seq), e,
                                            std::nullopt, {}, portico::cache::Ttl(1min)));
        clock_->advance(2min);
      };
    };
    Side subject = [&](unsigned) {
      return measure(1, budget(3, 30), make_setup(true), [&](unsigned, std::uint64_t) {
        const std::size_t removed = cache_->cleanup_expired();
        if (removed != e) anomalies_.add(fmt::format("adapter removed {} of {}", removed, e));
      });
    };
    Side baseline = [&](unsigned) {
      return measure(1, budget(3, 30), make_setup(false), [&](unsigned, std::uint64_t) {
        rocksdb::ReadOptions read;
        std::string upper;
        internal::put_time(upper, now_ns());
        rocksdb::Slice upper_slice(upper);
        read.iterate_upper_bound = &upper_slice;
        std::unique_ptr<rocksdb::Iterator> it(raw_->db().NewIterator(read, family(Family::expiry)));
        std::string first;
        std::string end;
        std::size_t found = 0;
        for (it->Seek(raw_watermark); it->Valid(); it->Next()) {
          if (!internal::decode_expiry_index_key(it->key().ToStringView())) {
            throw std::runtime_error("damaged raw expiry entry");
          }
          if (found++ == 0) first = it->key().ToString();
          end.assign(it->key().data(), it->key().size());
        }
        check_ok(it->status(), "raw expiry scan");
        end.push_back('\0');
        rocksdb::WriteBatch batch;
        batch.DeleteRange(family(Family::expiry), first, end);
        merge_count(batch, -static_cast<std::int64_t>(found));
        batch.Put(family(Family::meta), "raw_watermark", upper);
        check_ok(raw_->db().Write(rocksdb::WriteOptions(), &batch), "raw cleanup");
        raw_watermark = upper;
        if (found != e) anomalies_.add(fmt::format("raw removed {} of {}", found, e));
      });
    };
    RowResult row = row_named(
        fmt::format("rocksdb.cleanup_expired_{}", e),
        fmt::format("cleanup_expired with {} expired entries (set just before with a 1 min ttl, "
                    "then the injected clock moved 2 min on, untimed)",
                    e),
        "iteration of the expiry ledger from the last cleanup's end up to now, one WriteBatch: "
        "DeleteRange over it, count merge, watermark");
    finish(run_row(row, config_.rounds, subject, &baseline));
  }

  // --- reopen --------------------------------------------------------------------------------

  void reopen_row() {
    // The raw side reopens with the options its Database was opened with, but a fresh block
    // cache each time, as the adapter gets.
    rocksdb::DBOptions db_options = raw_->db().GetDBOptions();
    // Objects bound to the open instance (its LOG file among them) are made anew by Open.
    db_options.info_log.reset();
    db_options.sst_file_manager.reset();
    db_options.write_buffer_manager.reset();
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    {
      std::vector<std::string> names;
      check_ok(rocksdb::DB::ListColumnFamilies(db_options, raw_dir_.string(), &names), "listing");
      for (const std::string& name : names) {
        rocksdb::ColumnFamilyHandle* handle = raw_->db().DefaultColumnFamily();
        for (std::size_t i = 0; i < internal::kFamilyCount; ++i) {
          if (internal::family_name(static_cast<Family>(i)) == name) handle = family(static_cast<Family>(i));
        }
        descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions(raw_->db().GetOptions(handle)));
      }
    }
    std::size_t cache_bytes = options_.block_cache_bytes;
    auto fresh_table_options = [&]() {
      for (auto& descriptor : descriptors) {
        const auto* table = descriptor.options.table_factory
                                ? descriptor.options.table_factory->GetOptions<rocksdb::BlockBasedTableOptions>()
                                : nullptr;
        if (table == nullptr) continue;
        rocksdb::BlockBasedTableOptions copy = *table;
        copy.block_cache = rocksdb::NewLRUCache(cache_bytes);
        descriptor.options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(copy));
      }
    };
    struct RawDb {
      std::vector<rocksdb::ColumnFamilyHandle*> handles;
      std::unique_ptr<rocksdb::DB> db;
      void close() {
        if (!db) return;
        for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
        handles.clear();
        db->Close().PermitUncheckedError();
        db.reset();
      }
    } reopened;
    raw_.reset();
    // One untimed reopen on each side first: the WAL written since the last flush is
    // replayed once, and the timed reopens find the same steady state.
    cache_.reset();
    open_cache();
    cache_.reset();
    auto open_plain = [&]() {
      rocksdb::DB* db = nullptr;
      check_ok(rocksdb::DB::Open(db_options, raw_dir_.string(), descriptors, &reopened.handles, &db),
               "raw reopen");
      reopened.db.reset(db);
    };
    fresh_table_options();
    open_plain();
    reopened.close();

    const Budget reopen_budget{.duration = 0ns, .min_ops = config_.reopens, .max_ops = config_.reopens};
    Side subject = [&](unsigned) {
      return measure(
          1, reopen_budget, [&](unsigned, std::uint64_t) { cache_.reset(); },
          [&](unsigned, std::uint64_t) { open_cache(); });
    };
    Side baseline = [&](unsigned) {
      return measure(
          1, reopen_budget,
          [&](unsigned, std::uint64_t) {
            reopened.close();
            fresh_table_options();
          },
          [&](unsigned, std::uint64_t) { open_plain(); });
    };
    RowResult row = row_named("rocksdb.reopen",
                              fmt::format("open of the cache directory (closed just before)"),
                              "DB::Open of the same families with the same options");
    row = run_row(row, config_.rounds, subject, &baseline);
    reopened.close();
    if (!cache_) open_cache();
    open_raw();
    finish(std::move(row));
  }

  const Config& config_;
  std::uint64_t n_;
  std::vector<RowResult>& out_;
  bool scaling_only_;
  fs::path adapter_dir_;
  fs::path raw_dir_;
  std::shared_ptr<SteppedClock> clock_;
  RocksDBOptions options_;
  Zipf zipf_;
  std::unique_ptr<RocksDBCacheAdapter> cache_;
  std::unique_ptr<internal::Database> raw_;
  std::vector<CacheKey> keys_;
  std::vector<Value> values_;
  std::vector<std::string> raw_values_;
  Anomalies anomalies_;
};

fs::path make_root(const Config& config) {
  std::string parent = config.dir;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  fs::create_directories(parent);
  std::string pattern = (fs::path(parent) / "portico-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error(fmt::format("cannot create a directory under {}", parent));
  }
  return fs::canonical(pattern);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

int run(int argc, char** argv) {
  const Config config = parse_args(argc, argv);
  const fs::path root = make_root(config);
  const MachineInfo machine = machine_info(root.string());
  const double overhead = timer_overhead_ns();
  say(fmt::format("{} mode, {} entries, {} B keys, {} B values, {} ms x {} rounds per side; in {}",
                  config.mode, config.entries, config.key_size, config.value_size,
                  config.duration.count(), config.rounds, root.string()));

  std::vector<RowResult> rows;
  int status = 0;
  try {
    MemoryBench(config, rows).run();
    RocksBench(config, config.entries, root, rows, false).run();
    for (std::uint64_t scale : config.scales) {
      if (scale != config.entries) RocksBench(config, scale, root, rows, true).run();
    }
  } catch (const std::exception& e) {
    say(fmt::format("failed: {}", e.what()));
    status = 1;
  }
  if (!config.keep) {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }

  std::string markdown = fmt::format(
      "Machine: {}, {} CPUs, {:.1f} GiB RAM, disk {}, {}.\n"
      "Workload: {} entries, {} B keys, {} B values; {} ms of measured time per side and round, "
      "{} rounds, sides alternating; stopwatch {} at {:.0f} ns per reading (included in latencies).\n"
      "Command: `{}`\n\n",
      machine.cpu_model, machine.cpus,
      static_cast<double>(machine.memory_bytes) / (1024.0 * 1024 * 1024), machine.disk,
      machine.kernel, config.entries, config.key_size, config.value_size,
      config.duration.count(), config.rounds, timer_source(), overhead, config.command_line);
  markdown += markdown_table(rows);
  const std::string scaling = markdown_scaling(rows);
  if (!scaling.empty()) markdown += "\nScaling with the number of entries:\n\n" + scaling;
  std::string notes;
  for (const RowResult& row : rows) {
    for (const std::string& note : row.notes) notes += fmt::format("- {}: {}\n", row.name, note);
  }
  if (!notes.empty()) markdown += "\nNotes:\n" + notes;
  std::cout << markdown << std::flush;

  std::vector<std::pair<std::string, std::string>> cfg = {
      {"mode", config.mode},
      {"entries", std::to_string(config.entries)},
      {"key_size", std::to_string(config.key_size)},
      {"value_size", std::to_string(config.value_size)},
      {"duration_ms", std::to_string(config.duration.count())},
      {"rounds", std::to_string(config.rounds)},
      {"threads", std::to_string(config.threads)},
      {"group", std::to_string(config.group)},
      {"expired", std::to_string(config.expired)},
      {"batch", std::to_string(config.batch)},
      {"block_cache_bytes", std::to_string(config.block_cache_bytes)},
      {"maintenance_ms",
       std::to_string(config.maintenance ? config.maintenance->count() : 0)},
      {"command", config.command_line}};
  std::string scales;
  for (std::uint64_t s : config.scales) scales += (scales.empty() ? "" : ",") + std::to_string(s);
  cfg.emplace_back("scales", scales);
  if (!config.json_path.empty()) {
    write_file(config.json_path, json_report("portico-bench", machine, cfg, overhead, rows));
  }
  if (!config.markdown_path.empty()) write_file(config.markdown_path, markdown);
  return status;
}

}  // namespace
}  // namespace portico::bench

int main(int argc, char** argv) {
  try {
    return portico::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "portico-bench: " << e.what() << '\n';
    return 1;
  }
}
