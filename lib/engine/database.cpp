#include "engine/database.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <fmt/std.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <portico/cache/errors.hpp>

#include "engine/counter_merge.hpp"
#include "engine/encoding.hpp"

namespace portico::cache::internal {

namespace {

constexpr std::array<std::string_view, kFamilyCount> kFamilyNames = {
    "data", "tags", "namespaces", "expiry", "created", "meta"};

// Files untouched for this long are compacted anyway, so the expiry filter reaches them.
constexpr std::uint64_t kPeriodicCompactionSeconds = 24 * 60 * 60;

void create_private_directories(const std::filesystem::path& dir) {
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      throw IoError(fmt::format("cannot create cache directory {}: {}", partial,
                                std::strerror(errno)));
    }
  }
  if (!std::filesystem::is_directory(dir)) {
    throw CacheError(fmt::format("{} is not a directory", dir));
  }
}

bool is_empty_directory(const std::filesystem::path& dir) {
  std::error_code error;
  return std::filesystem::directory_iterator(dir, error) == std::filesystem::directory_iterator();
}

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

// Refuses directories that hold something other than a cache: a cache is created only in an
// empty or new directory, and an existing database must have exactly our column families.
void check_is_cache_directory(const std::filesystem::path& dir, const rocksdb::DBOptions& options,
                              bool exists) {
  if (!exists) {
    if (!is_empty_directory(dir)) {
      throw CacheError(fmt::format(
          "{} is not a cache directory: it is not empty and holds no cache database", dir));
    }
    return;
  }
  std::vector<std::string> names;
  check(rocksdb::DB::ListColumnFamilies(options, dir.string(), &names),
        fmt::format("reading the column families of {}", dir));
  for (std::string_view wanted : kFamilyNames) {
    if (std::find(names.begin(), names.end(), wanted) == names.end()) {
      throw CacheError(fmt::format(
          "{} is not a cache directory: its database has no '{}' column family", dir, wanted));
    }
  }
}

}  // namespace

std::string_view family_name(Family family) { return kFamilyNames[static_cast<std::size_t>(family)]; }

void check(const rocksdb::Status& status, std::string_view what) {
  if (status.ok()) return;
  const std::string message = fmt::format("{}: {}", what, status.ToString());
  if (status.IsCorruption()) throw CorruptionError(message);
  if (status.IsIOError()) {
    // RocksDB reports a held LOCK file as an IO error; name it as what it is.
    const std::string text = status.ToString();
    if (text.find("lock") != std::string::npos || text.find("LOCK") != std::string::npos) {
      throw CacheError(fmt::format("{} (the cache directory is in use by another open cache)",
                                   message));
    }
    throw IoError(message);
  }
  throw CacheError(message);
}

Database::Database(const OpenRequest& request) : dir_(request.dir), mode_(request.mode) {
  const RocksDBOptions& opts = request.options;
  if (!opts.clock) throw std::invalid_argument("RocksDBCacheAdapter: clock must not be null");
  if (opts.maintenance_interval && opts.maintenance_interval->count() <= 0) {
    throw std::invalid_argument("RocksDBCacheAdapter: maintenance_interval must be positive");
  }
  if (mode_ == OpenMode::read_write) {
    create_private_directories(dir_);
  } else if (!std::filesystem::is_directory(dir_)) {
    throw CacheError(fmt::format("cannot open {} read-only: no such cache directory", dir_));
  }

  rocksdb::DBOptions db_options;
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
  if (mode_ == OpenMode::secondary) db_options.max_open_files = -1;

  const bool exists = std::filesystem::exists(dir_ / "CURRENT");
  if (mode_ != OpenMode::read_write && !exists) {
    throw CacheError(fmt::format("{} is not a cache directory: it holds no cache database", dir_));
  }
  check_is_cache_directory(dir_, db_options, exists);

  block_cache_ = rocksdb::NewLRUCache(opts.block_cache_bytes);
  rocksdb::BlockBasedTableOptions table_options;
  table_options.block_cache = block_cache_;
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

  data_filter_ = std::make_shared<ExpiryFilterFactory>(FilteredFamily::data, opts.clock);
  index_filter_ = std::make_shared<ExpiryFilterFactory>(FilteredFamily::index, opts.clock);

  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
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
        cf.compaction_filter_factory = data_filter_;
        // A bloom filter over the memtable too: flushed access data puts recently hit keys
        // there, and without it every get, miss and pre-write read searched that skip list.
        cf.memtable_whole_key_filtering = true;
        cf.memtable_prefix_bloom_size_ratio = 0.05;
        break;
      case Family::tags:
      case Family::namespaces:
      case Family::created:
        cf.compaction_filter_factory = index_filter_;
        break;
      case Family::meta:
        cf.merge_operator = std::make_shared<CounterAddOperator>();
        break;
      case Family::expiry:
        break;  // the ledger: never filtered
    }
    descriptors.emplace_back(std::string(family_name(family)), cf);
  }

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const std::string path = dir_.string();
  rocksdb::Status status;
  switch (mode_) {
    case OpenMode::read_write:
      status = rocksdb::DB::Open(db_options, path, descriptors, &handles, &raw);
      break;
    case OpenMode::read_only:
      status = rocksdb::DB::OpenForReadOnly(db_options, path, descriptors, &handles, &raw);
      break;
    case OpenMode::secondary:
      std::filesystem::create_directories(request.secondary_dir);
      status = rocksdb::DB::OpenAsSecondary(db_options, path, request.secondary_dir.string(),
                                            descriptors, &handles, &raw);
      break;
  }
  check(status, fmt::format("opening cache directory {}", dir_));
  db_.reset(raw);
  default_handle_ = handles[0];
  for (std::size_t i = 0; i < kFamilyCount; ++i) handles_[i] = handles[i + 1];

  const auto write_format_version = [&](const char* what) {
    rocksdb::WriteOptions sync;
    sync.sync = true;
    check(db_->Put(sync, family(Family::meta), std::string(kMetaFormatVersion),
                   std::to_string(kFormatVersion)),
          what);
    format_version_ = kFormatVersion;
  };
  try {
    std::string version;
    const rocksdb::Status read = db_->Get(rocksdb::ReadOptions(), family(Family::meta),
                                          std::string(kMetaFormatVersion), &version);
    if (read.IsNotFound()) {
      if (mode_ != OpenMode::read_write) {
        throw CacheError(fmt::format("{} is not a cache directory: no format version", dir_));
      }
      write_format_version("writing the format version");
    } else {
      check(read, "reading the format version");
      unsigned long parsed = 0;
      try {
        parsed = std::stoul(version);
      } catch (const std::exception&) {
        throw CorruptionError(fmt::format("{}: unreadable format version '{}'", dir_, version));
      }
      if (parsed > kFormatVersion) {
        throw CacheError(fmt::format(
            "{} has on-disk format version {}, newer than this library's {}; upgrade the "
            "library to open it",
            dir_, parsed, kFormatVersion));
      }
      if (parsed < kOldestReadableFormatVersion) {
        throw CorruptionError(fmt::format("{}: unknown format version '{}'", dir_, version));
      }
      format_version_ = static_cast<std::uint32_t>(parsed);
      if (format_version_ < kFormatVersion && mode_ == OpenMode::read_write) {
        // Every older format is a subset of this one; the new number keeps older libraries,
        // which would miscount settled entries, from opening the directory.
        write_format_version("upgrading the format version");
      }
    }
  } catch (...) {
    close();
    throw;
  }
}

Database::~Database() { close(); }

void Database::close() noexcept {
  if (!db_) return;
  // Handles go before the database, as RocksDB requires.
  for (auto*& handle : handles_) {
    if (handle != nullptr) db_->DestroyColumnFamilyHandle(handle);
    handle = nullptr;
  }
  if (default_handle_ != nullptr) db_->DestroyColumnFamilyHandle(default_handle_);
  default_handle_ = nullptr;
  db_->Close().PermitUncheckedError();
  db_.reset();
}

std::uint64_t Database::block_cache_usage() const { return block_cache_->GetUsage(); }

std::int64_t Database::read_counter(std::string_view name) {
  return read_optional_counter(name).value_or(0);
}

std::optional<std::int64_t> Database::read_optional_counter(std::string_view name) {
  std::string value;
  const rocksdb::Status status =
      db_->Get(rocksdb::ReadOptions(), family(Family::meta), rocksdb::Slice(name.data(), name.size()), &value);
  if (status.IsNotFound()) return std::nullopt;
  check(status, fmt::format("reading counter {}", name));
  const auto decoded = decode_counter(value);
  if (!decoded) throw CorruptionError(fmt::format("counter {} is damaged", name));
  return *decoded;
}

void Database::catch_up() {
  if (mode_ == OpenMode::secondary) check(db_->TryCatchUpWithPrimary(), "catching up");
}

}  // namespace portico::cache::internal
