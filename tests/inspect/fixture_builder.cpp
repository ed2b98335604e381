// Test helper: writes the fixture cache of fixture.hpp with the library, or damages one.
//
//   inspect-fixture build DIR        the fixture (fails if DIR already holds a cache)
//   inspect-fixture plant DIR        deletes one tag index entry and adds 2 to the entry count
//   inspect-fixture bulk DIR N       N plain entries "bulk:<i>" (no ttl), for progress tests
//   inspect-fixture deep DIR N       an entry "deep" whose stored value nests N arrays deep,
//                                    as damage or a writer ignoring kMaxValueDepth leaves it
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include <portico/cache/rocksdb_adapter.hpp>

#include "../support/nested_value.hpp"
#include "rocksdb/counter_merge.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/encoding.hpp"
#include "fixture.hpp"

namespace cache = portico::cache;
namespace internal = portico::cache::internal;

namespace {

cache::RocksDBOptions options(std::shared_ptr<const cache::Clock> clock) {
  return cache::RocksDBOptions{.maintenance_interval = std::nullopt, .clock = std::move(clock)};
}

void build(const std::string& dir) {
  const auto entries = cache::testing::fixture_entries();
  {
    // Expired entries: written by a clock two hours behind, with a one-hour ttl.
    auto past = std::make_shared<cache::ManualClock>(std::chrono::system_clock::now() -
                                                     std::chrono::hours(2));
    cache::RocksDBCacheAdapter adapter(dir, options(past));
    for (const auto& entry : entries) {
      if (entry.expired) adapter.set(entry.key, entry.value, entry.ttl);
    }
  }
  cache::RocksDBCacheAdapter adapter(dir, options(cache::system_clock_source()));
  for (const auto& entry : entries) {
    if (!entry.expired) adapter.set(entry.key, entry.value, entry.ttl);
  }
  const cache::CacheKey user0{.key = "user:0", .ns = "app"};
  const cache::CacheKey user1{.key = "user:1", .ns = "app"};
  for (int i = 0; i < 3; ++i) adapter.get(user0);
  adapter.get(user1);
  for (int i = 0; i < 2; ++i) adapter.get(cache::CacheKey{.key = "absent"});
  adapter.flush();
}

void plant(const std::string& dir) {
  internal::Database db(internal::OpenRequest{.dir = dir});
  const std::string id = internal::encode_id(cache::testing::planted_key());
  rocksdb::WriteBatch batch;
  batch.Delete(db.family(internal::Family::tags), internal::group_index_key("users", id));
  batch.Merge(db.family(internal::Family::meta), std::string(internal::kMetaEntryCount),
              internal::encode_counter(2));
  internal::check(db.db().Write(rocksdb::WriteOptions(), &batch), "planting damage");
}

void bulk(const std::string& dir, int count) {
  cache::RocksDBCacheAdapter adapter(dir, options(cache::system_clock_source()));
  std::vector<cache::CacheItem> items;
  for (int i = 0; i < count; ++i) {
    items.push_back({.key = {.key = "bulk:" + std::to_string(i)}, .value = std::string(100, 'x')});
  }
  adapter.set_many(std::move(items));
}

// The adapter refuses such a value, so the record is rewritten underneath it.
void deep(const std::string& dir, int depth) {
  const cache::CacheKey key{.key = "deep"};
  {
    cache::RocksDBCacheAdapter adapter(dir, options(cache::system_clock_source()));
    adapter.set(key, std::string("placeholder"));
  }
  internal::Database db(internal::OpenRequest{.dir = dir});
  const std::string id = internal::encode_id(key);
  std::string record;
  internal::check(db.db().Get(rocksdb::ReadOptions(), db.family(internal::Family::data), id, &record),
                  "reading the record");
  const internal::DecodedRecord decoded = internal::decode_record(record);
  const std::string rewritten = internal::encode_record(
      decoded.header, cache::testing::nested_array_bytes(static_cast<std::size_t>(depth)));
  internal::check(db.db().Put(rocksdb::WriteOptions(), db.family(internal::Family::data), id, rewritten),
                  "rewriting the record");
}

}  // namespace

int main(int argc, char** argv) {
  const std::string usage = "usage: inspect-fixture build|plant DIR | bulk|deep DIR N";
  if (argc < 3) {
    std::cerr << usage << "\n";
    return 2;
  }
  const std::string command = argv[1];
  try {
    if (command == "build" && argc == 3) {
      build(argv[2]);
    } else if (command == "plant" && argc == 3) {
      plant(argv[2]);
    } else if (command == "bulk" && argc == 4) {
      bulk(argv[2], std::atoi(argv[3]));
    } else if (command == "deep" && argc == 4) {
      deep(argv[2], std::atoi(argv[3]));
    } else {
      std::cerr << usage << "\n";
      return 2;
    }
  } catch (const std::exception& e) {
    std::cerr << "inspect-fixture: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
