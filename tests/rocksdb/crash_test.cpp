#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/child_process.hpp"
#include "../support/rocksdb_options.hpp"
#include "../support/temp_dir.hpp"
#include "crash_keys.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/verify.hpp"

using portico::cache::RocksDBCacheAdapter;
using portico::cache::RocksDBOptions;
using portico::cache::testing::ChildProcess;
using portico::cache::testing::TempDir;
using portico::cache::testing::without_maintenance;
namespace crash = portico::cache::testing::crash;
namespace internal = portico::cache::internal;

TEST_CASE("kill -9 at random moments loses no acknowledged write and leaves indexes consistent") {
  TempDir dir;
  const auto path = dir / "cache";
  std::mt19937 random(20261124);
  std::set<long> live;    // acknowledged sets not erased since
  std::set<long> erased;  // acknowledged erases
  std::set<long> erased_batches;  // acknowledged erase_by_tags of batch tags
  // Moves the keys of a batch tag's erase from `live` to `erased`.
  const auto erase_batch = [&](long batch) {
    erased_batches.insert(batch);
    for (long i = batch * crash::kTagBatch; i < (batch + 1) * crash::kTagBatch; ++i) {
      if (crash::in_tag_batch(i) && live.erase(i) > 0) erased.insert(i);
    }
  };
  long next = 0;
  // Sanitizer builds start each writer process many times slower; fewer rounds keep the
  // suite's time in bounds there, while the plain build does the full run.
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr int kRounds = 8;
#else
  constexpr int kRounds = 30;
#endif

  for (int round = 0; round < kRounds; ++round) {
    long last_ack = next - 1;
    {
      ChildProcess writer({CRASH_WRITER_BINARY, path.string(), std::to_string(next)});
      // Wait for the first acknowledgment so the kill lands while writing, not while opening.
      auto line = writer.read_line();
      REQUIRE(line.has_value());
      std::this_thread::sleep_for(std::chrono::milliseconds(random() % 150));
      writer.kill_hard();
      for (; line; line = writer.read_line()) {
        std::istringstream fields(*line);
        char op = 0;
        long i = 0;
        fields >> op >> i;
        if (op == 's') {
          if (!crash::expires_at_once(i)) live.insert(i);
          last_ack = std::max(last_ack, i);
        } else if (op == 't') {
          erase_batch(i);
        } else if (op == 'e') {
          live.erase(i);
          erased.insert(i);
        }
      }
      writer.wait();
    }
    // The writes in flight at the kill may or may not have landed: the set after the last
    // acknowledged one, and the erase that follows every tenth set. Later rounds start past them.
    const long in_flight_set = last_ack + 1;
    const std::optional<long> in_flight_erase =
        last_ack % 10 == 9 && !erased.contains(last_ack - 5) ? std::optional(last_ack - 5)
                                                             : std::nullopt;
    const long last_batch = last_ack / crash::kTagBatch;
    const std::optional<long> in_flight_tag_erase =
        last_ack % crash::kTagBatch == crash::kTagBatch - 1 && !erased_batches.contains(last_batch)
            ? std::optional(last_batch)
            : std::nullopt;
    next = last_ack + 2;

    {
      RocksDBCacheAdapter cache(path, without_maintenance());
      if (in_flight_erase && !cache.exists(crash::key(*in_flight_erase))) {
        live.erase(*in_flight_erase);
        erased.insert(*in_flight_erase);
      }
      if (in_flight_tag_erase) {
        // The erase is one batch: any of its live keys tells whether it landed.
        for (long i = *in_flight_tag_erase * crash::kTagBatch; i <= last_ack; ++i) {
          if (!crash::in_tag_batch(i) || !live.contains(i)) continue;
          if (!cache.exists(crash::key(i))) erase_batch(*in_flight_tag_erase);
          break;
        }
      }
      if (cache.exists(crash::key(in_flight_set))) live.insert(in_flight_set);

      std::size_t missing = 0;
      for (long i : live) {
        const auto entry = cache.get(crash::key(i));
        if (!entry || entry->as<std::string>() != crash::value(i) ||
            entry->key.tags != crash::key(i).tags) {
          ++missing;
        }
      }
      CHECK_MESSAGE(missing == 0, "round ", round, ": ", missing, " acknowledged entries lost");
      std::size_t resurrected = 0;
      for (long i : erased) resurrected += cache.exists(crash::key(i)) ? 1 : 0;
      CHECK_MESSAGE(resurrected == 0, "round ", round, ": erased entries came back");
      // What has expired leaves the count with this cleanup, or left it with the writer's.
      cache.cleanup_expired();
      CHECK(cache.get_stats().total_entries == live.size());
    }
    {
      internal::Database db(internal::OpenRequest{.dir = path});
      const auto report = internal::verify_database(db, false, std::chrono::system_clock::now());
      std::string problems;
      for (const auto& p : report.problems) problems += p + "\n";
      CHECK_MESSAGE(report.ok(), "round ", round, ":\n", problems);
    }
  }
  CHECK(live.size() > static_cast<std::size_t>(kRounds));  // the rounds did real work
  CHECK(!erased_batches.empty());
}
