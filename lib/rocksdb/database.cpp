#include "rocksdb/database.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <fmt/std.h>

#include <portico/cache/errors.hpp>

#include "rocksdb/counter_merge.hpp"
#include "rocksdb/database_layout.hpp"
#include "rocksdb/encoding.hpp"
#include "rocksdb/private_file_system.hpp"

namespace portico::cache::internal {

namespace {

constexpr std::array<std::string_view, kFamilyCount> kFamilyNames = {
    "data", "tags", "namespaces", "expiry", "created", "meta"};

bool is_empty_directory(const std::filesystem::path& dir) {
  std::error_code error;
  return std::filesystem::directory_iterator(dir, error) == std::filesystem::directory_iterator();
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
  if (status.IsIOError()) throw IoError(message);
  throw CacheError(message);
}

Database::Database(const OpenRequest& request) : dir_(request.dir), mode_(request.mode) {
  validate(request.options);
  if (mode_ == OpenMode::read_write) {
    // Before anything is opened: a second read-write open in this process fails here.
    claim_ = DirectoryClaim(dir_);
    create_private_directories(dir_);
    require_private_directory(dir_);
    make_files_private(dir_.string());
  } else if (!std::filesystem::is_directory(dir_)) {
    throw CacheError(fmt::format("cannot open {} read-only: no such cache directory", dir_));
  }
  DatabaseLayout layout = make_layout(request.options, mode_, request.file_system);
  env_ = std::move(layout.env);
  block_cache_ = layout.block_cache;
  data_filter_ = layout.data_filter;
  index_filter_ = layout.index_filter;
  open(layout, request.secondary_dir);
  try {
    check_format_version();
  } catch (...) {
    close();
    throw;
  }
}

void Database::validate(const RocksDBOptions& options) {
  if (!options.clock) throw std::invalid_argument("RocksDBCacheAdapter: clock must not be null");
  if (options.maintenance_interval && options.maintenance_interval->count() <= 0) {
    throw std::invalid_argument("RocksDBCacheAdapter: maintenance_interval must be positive");
  }
}

void Database::open(DatabaseLayout& layout, const std::filesystem::path& secondary_dir) {
  const bool exists = std::filesystem::exists(dir_ / "CURRENT");
  if (mode_ != OpenMode::read_write && !exists) {
    throw CacheError(fmt::format("{} is not a cache directory: it holds no cache database", dir_));
  }
  check_is_cache_directory(dir_, layout.db, exists);

  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  const std::string path = dir_.string();
  rocksdb::Status status;
  switch (mode_) {
    case OpenMode::read_write:
      status = rocksdb::DB::Open(layout.db, path, layout.families, &handles, &raw);
      break;
    case OpenMode::read_only:
      status = rocksdb::DB::OpenForReadOnly(layout.db, path, layout.families, &handles, &raw);
      break;
    case OpenMode::secondary:
      std::filesystem::create_directories(secondary_dir);
      status = rocksdb::DB::OpenAsSecondary(layout.db, path, secondary_dir.string(),
                                            layout.families, &handles, &raw);
      break;
  }
  if (status.IsIOError() && mode_ == OpenMode::read_write) {
    // Ask the lock whether another process has the directory open.
    if (const LockState lock = probe_lock(dir_); lock.locked) throw in_use_error(dir_, lock);
  }
  check(status, fmt::format("opening cache directory {}", dir_));
  db_.reset(raw);
  default_handle_ = handles[0];
  for (std::size_t i = 0; i < kFamilyCount; ++i) handles_[i] = handles[i + 1];
}

void Database::write_format_version(std::string_view what) {
  rocksdb::WriteOptions sync;
  sync.sync = true;
  check(db_->Put(sync, family(Family::meta), std::string(kMetaFormatVersion),
                 std::to_string(kFormatVersion)),
        what);
  format_version_ = kFormatVersion;
}

void Database::check_format_version() {
  std::string version;
  const rocksdb::Status read = db_->Get(rocksdb::ReadOptions(), family(Family::meta),
                                        std::string(kMetaFormatVersion), &version);
  if (read.IsNotFound()) {
    if (mode_ != OpenMode::read_write) {
      throw CacheError(fmt::format("{} is not a cache directory: no format version", dir_));
    }
    write_format_version("writing the format version");
    return;
  }
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

std::optional<std::int64_t> Database::read_optional_counter(std::string_view name,
                                                            const rocksdb::ReadOptions& read) {
  std::string value;
  const rocksdb::Status status =
      db_->Get(read, family(Family::meta), rocksdb::Slice(name.data(), name.size()), &value);
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
