// Database: one open RocksDB instance in the adapter's layout, with its column families.
//
// Opening follows "publish a handle only on success": the directory is checked, the database
// opened and its format version verified before the object exists; on any failure everything
// opened so far is closed again and CacheError (or a subclass) is thrown.
//
// Thread-safety: the handles may be used from any thread (RocksDB is thread-safe); the object
// itself is immutable after construction.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>
#include <rocksdb/status.h>
#include <rocksdb/write_batch.h>

#include <portico/cache/rocksdb_options.hpp>

#include "rocksdb/cache_directory.hpp"
#include "rocksdb/expiry_filter.hpp"

namespace portico::cache::internal {

enum class Family : std::size_t { data, tags, namespaces, expiry, created, meta };
inline constexpr std::size_t kFamilyCount = 6;
std::string_view family_name(Family family);

// Keys of the meta family.
inline constexpr std::string_view kMetaFormatVersion = "format_version";
inline constexpr std::string_view kMetaEntryCount = "entry_count";
inline constexpr std::string_view kMetaHits = "hits";
inline constexpr std::string_view kMetaMisses = "misses";
// Entries removed to stay within the disk budget.
inline constexpr std::string_view kMetaEvictions = "evictions";
// Maintenance chores (cleanup, purge, access flush) that failed.
inline constexpr std::string_view kMetaMaintenanceFailures = "maintenance_failures";
// The upper bound of the last cleanup_expired(): every ledger entry below it is settled.
inline constexpr std::string_view kMetaCleanupWatermark = "cleanup_watermark";
// Followed by a tag: the epoch of that tag's pending invalidation (see TagEpochs).
inline constexpr std::string_view kMetaTagEpochPrefix = "tag_epoch/";

enum class OpenMode {
  read_write,
  read_only,  // a snapshot of the moment of opening; no lock taken
  secondary,  // follows a live writer (try_catch_up); needs a scratch directory
};

struct OpenRequest {
  std::filesystem::path dir{};
  RocksDBOptions options{};
  OpenMode mode = OpenMode::read_write;
  std::filesystem::path secondary_dir{};  // for OpenMode::secondary
  // The file system under the database (RocksDB's default when null): tests inject faults.
  std::shared_ptr<rocksdb::FileSystem> file_system{};
};

struct DatabaseLayout;

class Database {
 public:
  explicit Database(const OpenRequest& request);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  rocksdb::DB& db() { return *db_; }
  rocksdb::ColumnFamilyHandle* family(Family f) { return handles_[static_cast<std::size_t>(f)]; }
  OpenMode mode() const { return mode_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::uint32_t format_version() const { return format_version_; }
  std::uint64_t block_cache_usage() const;
  const ExpiryFilterFactory& data_filter() const { return *data_filter_; }

  // Reads a counter of the meta family: 0 / nullopt when absent.
  std::int64_t read_counter(std::string_view name);
  std::optional<std::int64_t> read_optional_counter(std::string_view name,
                                                    const rocksdb::ReadOptions& read = {});
  // For a secondary instance: catch up with the primary's latest writes.
  void catch_up();

 private:
  std::filesystem::path dir_;
  OpenMode mode_;
  DirectoryClaim claim_;  // read-write only; released after the database closes
  std::uint32_t format_version_ = 0;
  std::unique_ptr<rocksdb::Env> env_;  // the database's file system; outlives db_
  std::shared_ptr<rocksdb::Cache> block_cache_;
  std::shared_ptr<ExpiryFilterFactory> data_filter_;
  std::shared_ptr<ExpiryFilterFactory> index_filter_;
  std::array<rocksdb::ColumnFamilyHandle*, kFamilyCount> handles_{};
  rocksdb::ColumnFamilyHandle* default_handle_ = nullptr;
  std::unique_ptr<rocksdb::DB> db_;

  // The steps of opening, in order; each throws on failure.
  static void validate(const RocksDBOptions& options);
  void open(DatabaseLayout& layout, const std::filesystem::path& secondary_dir);
  void check_format_version();
  void write_format_version(std::string_view what);
  void close() noexcept;
};

// Throws the CacheError subclass matching a failed status.
void check(const rocksdb::Status& status, std::string_view what);

}  // namespace portico::cache::internal
