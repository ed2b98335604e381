// Test helper: writes to a cache as fast as it can and prints an acknowledgment line after
// every write returns ("s N" for a set of key N, "e N" for an erase, "t B" for the erase of
// batch tag B), while another thread
// keeps compacting, so a kill -9 lands in the middle of writes, flushes and compactions.
#include <atomic>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>

#include <portico/cache/rocksdb_adapter.hpp>

#include "crash_keys.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: crash-writer DIR FIRST_INDEX\n";
    return 2;
  }
  using namespace std::chrono_literals;
  namespace crash = portico::cache::testing::crash;
  portico::cache::RocksDBCacheAdapter cache(
      argv[1], portico::cache::RocksDBOptions{.maintenance_interval = 5ms});
  std::atomic<bool> stop{false};
  std::thread compactor([&] {
    while (!stop) {
      cache.compact();
      std::this_thread::sleep_for(10ms);
    }
  });
  const long first = std::stol(argv[2]);
  for (long i = first; i < first + 1'000'000; ++i) {
    cache.set(crash::key(i), crash::value(i), crash::ttl(i));
    std::cout << "s " << i << '\n' << std::flush;
    cache.get(crash::key(i));
    if (i % 10 == 9) {
      cache.erase(crash::key(i - 5));
      std::cout << "e " << (i - 5) << '\n' << std::flush;
    }
    if (i % crash::kTagBatch == crash::kTagBatch - 1) {
      cache.erase_by_tags({crash::batch_tag(i / crash::kTagBatch)});
      std::cout << "t " << (i / crash::kTagBatch) << '\n' << std::flush;
    }
  }
  stop = true;
  compactor.join();
  return 0;
}
