// What the expiry tests share: a cache half of whose entries expire, and a raw count of the
// keys in one column family of a closed cache directory.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

#include <portico/cache/rocksdb_adapter.hpp>
#include <rocksdb/iterator.h>

#include "rocksdb/database.hpp"

namespace portico::cache::testing {

inline constexpr int kExpiryFixturePairs = 40;

// Entry i of the expiring half: 1 min TTL, namespace "n", tags "t" and "u".
inline CacheKey expiring_key(int i) {
  return CacheKey{.key = "exp" + std::to_string(i), .ns = "n", .tags = {"t", "u"}};
}
// Entry i of the lasting half: no TTL, namespace "n", tag "t".
inline CacheKey lasting_key(int i) {
  return CacheKey{.key = "live" + std::to_string(i), .ns = "n", .tags = {"t"}};
}

inline void fill_half_expiring(CacheAdapter& cache) {
  for (int i = 0; i < kExpiryFixturePairs; ++i) {
    cache.set(expiring_key(i), Value(i), std::chrono::minutes(1));
    cache.set(lasting_key(i), Value(i));
  }
}

// Keys stored in one family, read straight from RocksDB.
inline std::size_t count_family_keys(const std::filesystem::path& dir, internal::Family family) {
  internal::Database db(internal::OpenRequest{.dir = dir, .mode = internal::OpenMode::read_only});
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(rocksdb::ReadOptions(), db.family(family)));
  std::size_t n = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

}  // namespace portico::cache::testing
