// portico-bench-redis: the benchmark workload against a Redis server, through hiredis, one
// client, one command per round trip (no pipelining in measured calls; the untimed set-up
// pipelines). bench/compare starts the server and puts these rows beside the adapter's.
//
// Rows (the keys and values of portico-bench: 21-byte keys, 100-byte values by default):
//   redis.get_hit_uniform   GET of a present key, uniform
//   redis.get_miss          GET of an absent key
//   redis.get_many_{B}      MGET of B present keys (one round trip)
//   redis.set_plain         SET of a new key
//   redis.set_indexed       SET key value EX 2592000, then SADD to 3 tag sets and to a namespace
//                           set: the usual way to keep tags in Redis, 5 round trips
//   redis.overwrite         SET of a present key
//   redis.erase_by_tags_{G} SMEMBERS of a tag set holding G keys, then one DEL of the keys and
//                           the set: 2 round trips
#include <hiredis/hiredis.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "harness.hpp"
#include "workload.hpp"
#include "workload_flags.hpp"

namespace portico::bench {
namespace {

struct Config : WorkloadFlags {
  std::string host = "127.0.0.1";
  int port = 6379;
  bool flush = true;
};

Config parse_args(int argc, char** argv) {
  Config config;
  CLI::App app("portico-bench-redis: the benchmark workload against a Redis server, one client, "
               "one command per round trip",
               "portico-bench-redis");
  add_workload_flags(app, config);
  app.add_option("--host", config.host, "the Redis server's address (default 127.0.0.1)");
  app.add_option("--port", config.port, "the Redis server's port (default 6379)")
      ->check(CLI::Range(1, 65535));
  bool no_flush = false;
  app.add_flag("--no-flush", no_flush, "do not FLUSHALL before populating");
  parse_or_exit(app, argc, argv);
  finish_workload_flags(app, config, argc, argv);
  config.flush = !no_flush;
  return config;
}

struct ReplyDeleter {
  void operator()(redisReply* reply) const { freeReplyObject(reply); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

class Connection {
 public:
  Connection(const std::string& host, int port) : context_(redisConnect(host.c_str(), port)) {
    if (context_ == nullptr || context_->err != 0) {
      throw std::runtime_error(fmt::format("cannot connect to Redis at {}:{}: {}", host, port,
                                           context_ ? context_->errstr : "out of memory"));
    }
  }
  ~Connection() { redisFree(context_); }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // One command, one round trip.
  Reply command(const std::vector<std::string_view>& args) {
    argv_.clear();
    lengths_.clear();
    for (std::string_view arg : args) {
      argv_.push_back(arg.data());
      lengths_.push_back(arg.size());
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(
        context_, static_cast<int>(argv_.size()), argv_.data(), lengths_.data()));
    if (raw == nullptr) throw std::runtime_error(fmt::format("Redis: {}", context_->errstr));
    Reply reply(raw);
    if (reply->type == REDIS_REPLY_ERROR) {
      throw std::runtime_error(fmt::format("Redis: {}", std::string(reply->str, reply->len)));
    }
    return reply;
  }

  // Queues a command without waiting for its reply (untimed set-up only).
  void append(const std::vector<std::string_view>& args) {
    argv_.clear();
    lengths_.clear();
    for (std::string_view arg : args) {
      argv_.push_back(arg.data());
      lengths_.push_back(arg.size());
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(argv_.size()), argv_.data(),
                               lengths_.data()) != REDIS_OK) {
      throw std::runtime_error(fmt::format("Redis: {}", context_->errstr));
    }
    ++queued_;
  }
  void drain() {
    for (; queued_ > 0; --queued_) {
      void* raw = nullptr;
      if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
        throw std::runtime_error(fmt::format("Redis: {}", context_->errstr));
      }
      Reply reply(static_cast<redisReply*>(raw));
      if (reply->type == REDIS_REPLY_ERROR) {
        throw std::runtime_error(fmt::format("Redis: {}", std::string(reply->str, reply->len)));
      }
    }
  }

 private:
  redisContext* context_;
  std::vector<const char*> argv_;
  std::vector<std::size_t> lengths_;
  std::size_t queued_ = 0;
};

void say(const std::string& message) { std::cerr << "portico-bench-redis: " << message << std::endl; }

class RedisBench {
 public:
  RedisBench(const Config& config, std::vector<RowResult>& out)
      : config_(config), out_(out), redis_(config.host, config.port) {}

  void run() {
    if (config_.flush) redis_.command({"FLUSHALL"});
    for (std::uint64_t i = 0; i < config_.entries; ++i) keys_.push_back(make_key("key:", i, config_.key_size));
    for (std::uint64_t i = 0; i < kPool; ++i) values_.push_back(make_value(i, config_.value_size));
    say(fmt::format("populating {} keys", config_.entries));
    for (std::uint64_t i = 0; i < config_.entries; ++i) {
      redis_.append({"SET", keys_[i], values_[i % kPool]});
      if (i % 1000 == 999) redis_.drain();
    }
    redis_.drain();

    if (want("redis.get_hit_uniform")) get_hit_row();
    if (want("redis.get_miss")) get_miss_row();
    if (want(fmt::format("redis.get_many_{}", config_.batch))) get_many_row();
    if (want("redis.set_plain")) set_row(false);
    if (want("redis.set_indexed")) set_indexed_row();
    if (want("redis.overwrite")) set_row(true);
    if (want(fmt::format("redis.erase_by_tags_{}", config_.group))) erase_tags_row();
  }

 private:
  static constexpr std::uint64_t kPool = 1024;

  bool want(const std::string& name) const { return selected(name, config_.rows); }
  Budget budget(std::uint64_t min_ops = 1, std::uint64_t max_ops = UINT64_MAX) const {
    return Budget{.duration = config_.duration, .min_ops = min_ops, .max_ops = max_ops};
  }

  RowResult row_named(std::string name, std::string description) {
    return RowResult{.name = std::move(name),
                     .group = "redis",
                     .description = std::move(description),
                     .entries = config_.entries,
                     .threads = 1,
                     .subject_name = "Redis"};
  }

  void finish(RowResult row) {
    if (anomalies_ > 0) row.notes.push_back(fmt::format("{} unexpected replies", anomalies_));
    anomalies_ = 0;
    say(fmt::format("{}: {} ops/s", row.name, format_rate(row.subject.ops_per_second)));
    out_.push_back(std::move(row));
  }

  void get_hit_row() {
    Rng rng(12);
    std::uint64_t pick = 0;
    Side side = [&](unsigned) {
      return measure(1, budget(), [&](unsigned, std::uint64_t) { pick = rng.below(keys_.size()); },
                     [&](unsigned, std::uint64_t) {
                       if (redis_.command({"GET", keys_[pick]})->type != REDIS_REPLY_STRING) ++anomalies_;
                     });
    };
    finish(run_row(row_named("redis.get_hit_uniform", "GET of a present key, uniform"),
                   config_.rounds, side, nullptr));
  }

  void get_miss_row() {
    Rng rng(13);
    std::string key;
    Side side = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t) { key = miss_key(rng.below(keys_.size()), config_.key_size); },
          [&](unsigned, std::uint64_t) {
            if (redis_.command({"GET", key})->type != REDIS_REPLY_NIL) ++anomalies_;
          });
    };
    finish(run_row(row_named("redis.get_miss", "GET of an absent key"), config_.rounds, side, nullptr));
  }

  void get_many_row() {
    Rng rng(14);
    std::vector<std::string_view> args;
    Side side = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t) {
            args.assign(1, "MGET");
            for (std::size_t i = 0; i < config_.batch; ++i) args.push_back(keys_[rng.below(keys_.size())]);
          },
          [&](unsigned, std::uint64_t) {
            if (redis_.command(args)->elements != config_.batch) ++anomalies_;
          });
    };
    finish(run_row(row_named(fmt::format("redis.get_many_{}", config_.batch),
                             fmt::format("MGET of {} present keys (one op = one call)", config_.batch)),
                   config_.rounds, side, nullptr));
  }

  void set_row(bool overwrite) {
    Rng rng(15);
    std::uint64_t next = 0;
    std::string key;
    Side side = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t) {
            key = overwrite ? keys_[rng.below(keys_.size())] : make_key("new:", next++, config_.key_size);
          },
          [&](unsigned, std::uint64_t i) { redis_.command({"SET", key, values_[i % kPool]}); });
    };
    finish(run_row(overwrite ? row_named("redis.overwrite", "SET of a present key, uniform")
                             : row_named("redis.set_plain", "SET of a new key"),
                   config_.rounds, side, nullptr));
  }

  void set_indexed_row() {
    std::uint64_t next = 0;
    std::string key, ns, tag_a, tag_b, tag_c;
    Side side = [&](unsigned) {
      return measure(
          1, budget(),
          [&](unsigned, std::uint64_t) {
            const std::uint64_t i = next++;
            key = make_key("idx:", i, config_.key_size);
            ns = fmt::format("ns:ns-{}", i % 16);
            tag_a = fmt::format("tag:tag-a{}", i % 64);
            tag_b = fmt::format("tag:tag-b{}", i % 512);
            tag_c = fmt::format("tag:tag-c{}", i % 4096);
          },
          [&](unsigned, std::uint64_t i) {
            redis_.command({"SET", key, values_[i % kPool], "EX", "2592000"});
            redis_.command({"SADD", tag_a, key});
            redis_.command({"SADD", tag_b, key});
            redis_.command({"SADD", tag_c, key});
            redis_.command({"SADD", ns, key});
          });
    };
    finish(run_row(row_named("redis.set_indexed",
                             "SET EX (30 days), SADD to 3 tag sets and a namespace set (5 round trips)"),
                   config_.rounds, side, nullptr));
  }

  void erase_tags_row() {
    std::uint64_t seq = 0;
    std::string tag;
    std::vector<std::string> members;
    std::vector<std::string_view> args;
    Side side = [&](unsigned) {
      return measure(
          1, budget(3, 200),
          [&](unsigned, std::uint64_t) {
            tag = fmt::format("tag:g-{}", ++seq);
            for (std::size_t j = 0; j < config_.group; ++j) {
              const std::string key = make_key(fmt::format("t{}:", seq), j, config_.key_size);
              redis_.append({"SET", key, values_[j % kPool]});
              redis_.append({"SADD", tag, key});
            }
            redis_.drain();
          },
          [&](unsigned, std::uint64_t) {
            Reply reply = redis_.command({"SMEMBERS", tag});
            args.assign(1, "DEL");
            for (std::size_t k = 0; k < reply->elements; ++k) {
              args.emplace_back(reply->element[k]->str, reply->element[k]->len);
            }
            args.push_back(tag);
            Reply deleted = redis_.command(args);
            if (deleted->integer != static_cast<long long>(config_.group) + 1) ++anomalies_;
          });
    };
    finish(run_row(row_named(fmt::format("redis.erase_by_tags_{}", config_.group),
                             fmt::format("SMEMBERS of a tag set of {} keys, one DEL of them and the "
                                         "set (2 round trips)",
                                         config_.group)),
                   config_.rounds, side, nullptr));
  }

  const Config& config_;
  std::vector<RowResult>& out_;
  Connection redis_;
  std::vector<std::string> keys_;
  std::vector<std::string> values_;
  std::uint64_t anomalies_ = 0;
};

int run(int argc, char** argv) {
  const Config config = parse_args(argc, argv);
  const MachineInfo machine = machine_info("/");
  const double overhead = timer_overhead_ns();
  std::vector<RowResult> rows;
  RedisBench(config, rows).run();

  std::string markdown = fmt::format("Redis at {}:{}, {} keys; command: `{}`\n\n", config.host,
                                     config.port, config.entries, config.command_line);
  markdown += markdown_table(rows);
  std::cout << markdown << std::flush;
  const std::vector<std::pair<std::string, std::string>> cfg = {
      {"entries", std::to_string(config.entries)},
      {"key_size", std::to_string(config.key_size)},
      {"value_size", std::to_string(config.value_size)},
      {"duration_ms", std::to_string(config.duration.count())},
      {"rounds", std::to_string(config.rounds)},
      {"group", std::to_string(config.group)},
      {"batch", std::to_string(config.batch)},
      {"server", fmt::format("{}:{}", config.host, config.port)},
      {"command", config.command_line}};
  if (!config.json_path.empty()) {
    std::ofstream(config.json_path) << json_report("portico-bench-redis", machine, cfg, overhead, rows);
  }
  if (!config.markdown_path.empty()) std::ofstream(config.markdown_path) << markdown;
  return 0;
}

}  // namespace
}  // namespace portico::bench

int main(int argc, char** argv) {
  try {
    return portico::bench::run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "portico-bench-redis: " << e.what() << '\n';
    return 1;
  }
}
