#include "rocksdb/database_layout.hpp"

#include <string>

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include "rocksdb/counter_merge.hpp"
#include "rocksdb/database.hpp"
#include "rocksdb/private_file_system.hpp"

namespace portico::cache::internal {

namespace {

// Files untouched for this long are compacted anyway, so the expiry filter reaches them.
constexpr std::uint64_t kPeriodicCompactionSeconds = 24 * 60 * 60;

rocksdb::CompressionType compression_type(Compression compression) {
  switch (compression) {
    case Compression::none:
      return rocksdb::kNoCompression;
    case Compression::lz4:
      return rocksdb::kLZ4Compression;
    case Compression::zstd:
      return rocksdb::kZSTD;
  }
  return rocksdb::kLZ4Compression;
}

}  // namespace

DatabaseLayout make_layout(const RocksDBOptions& opts, OpenMode mode,
                           std::shared_ptr<rocksdb::FileSystem> file_system) {
  DatabaseLayout layout;
  if (!file_system) file_system = rocksdb::FileSystem::Default();
  layout.env = rocksdb::NewCompositeEnv(std::make_shared<PrivateFileSystem>(file_system));
  layout.db.env = layout.env.get();
  rocksdb::DBOptions& db_options = layout.db;
  db_options.create_if_missing = true;
  db_options.create_missing_column_families = true;
  db_options.max_background_jobs = 2;
  db_options.keep_log_file_num = 4;
  db_options.max_total_wal_size = 64 << 20;
#if defined(__SANITIZE_THREAD__)
  // Under ThreadSanitizer only: one write per WAL group. A group leader appends its followers'
  // batches to a buffer that leaders on other threads reuse, ordered by atomics inside the
  // uninstrumented librocksdb, so TSan reports those appends (made through instrumented
  // std::string code) as races between our writers.
  db_options.max_write_batch_group_size_bytes = 1;
#endif
  if (mode == OpenMode::secondary) db_options.max_open_files = -1;


  layout.block_cache = rocksdb::NewLRUCache(opts.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = layout.block_cache;
  // Whole-key bloom filters: a get of a missing key reads no data block.
  table_options.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table_options.whole_key_filtering = true;
  // Index and filters live in the block cache (so its size bounds them), partitioned into
  // small blocks: a whole-file filter of a 10^6-key table is about 1 MiB, more than one
  // block-cache shard holds, so it was evicted and re-read over and over. Partitions are
  // cached like data blocks (with high priority); the small top-level index of each file is
  // pinned, so a get touches at most one filter and one index partition besides its data block.
  table_options.cache_index_and_filter_blocks = true;
  table_options.cache_index_and_filter_blocks_with_high_priority = true;
  table_options.pin_l0_filter_and_index_blocks_in_cache = true;
  table_options.index_type = rocksdb::BlockBasedTableOptions::kTwoLevelIndexSearch;
  table_options.partition_filters = true;
  table_options.pin_top_level_index_and_filter = true;
  table_options.format_version = 5;
  auto table_factory =
      std::shared_ptr<rocksdb::TableFactory>(rocksdb::NewBlockBasedTableFactory(table_options));

  layout.data_filter = std::make_shared<ExpiryFilterFactory>(FilteredFamily::data, opts.clock);
  layout.index_filter = std::make_shared<ExpiryFilterFactory>(FilteredFamily::index, opts.clock);

  std::vector<rocksdb::ColumnFamilyDescriptor>& descriptors = layout.families;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (std::size_t i = 0; i < kFamilyCount; ++i) {
    const auto family = static_cast<Family>(i);
    rocksdb::ColumnFamilyOptions cf;
    cf.table_factory = table_factory;
    cf.compression = compression_type(opts.compression);
    cf.periodic_compaction_seconds = kPeriodicCompactionSeconds;
    cf.write_buffer_size = family == Family::data ? (32 << 20) : (8 << 20);
    switch (family) {
      case Family::data:
        cf.compaction_filter_factory = layout.data_filter;
        // A bloom filter over the memtable too: flushed access data puts recently hit keys
        // there, and without it every get, miss and pre-write read searched that skip list.
        cf.memtable_whole_key_filtering = true;
        cf.memtable_prefix_bloom_size_ratio = 0.05;
        break;
      case Family::tags:
      case Family::namespaces:
      case Family::created:
        cf.compaction_filter_factory = layout.index_filter;
        break;
      case Family::meta:
        cf.merge_operator = std::make_shared<CounterAddOperator>();
        break;
      case Family::expiry:
        break;  // the ledger: never filtered
    }
    descriptors.emplace_back(std::string(family_name(family)), cf);
  }

  return layout;
}

}  // namespace portico::cache::internal
