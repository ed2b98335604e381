// The RocksDB settings of a cache database: its DBOptions and one descriptor per column
// family (table format, filters, compaction filters, merge operator), built from the
// adapter's options. Kept apart from opening, which only applies them.
//
// Thread-safety: plain values; the shared objects they point to are thread-safe.
#pragma once

#include <memory>
#include <vector>

#include <rocksdb/cache.h>
#include <rocksdb/db.h>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <portico/cache/rocksdb_options.hpp>

#include "rocksdb/expiry_filter.hpp"

namespace portico::cache::internal {

enum class OpenMode;

struct DatabaseLayout {
  rocksdb::DBOptions db{};
  // The default family first, then ours in Family order.
  std::vector<rocksdb::ColumnFamilyDescriptor> families{};
  std::shared_ptr<rocksdb::Cache> block_cache{};
  std::shared_ptr<ExpiryFilterFactory> data_filter{};
  std::shared_ptr<ExpiryFilterFactory> index_filter{};
  // The Env over PrivateFileSystem (over `file_system`); db.env points at it, so it must
  // outlive the database.
  std::unique_ptr<rocksdb::Env> env{};
};

// `file_system`: what the database's files go through (RocksDB's default when null; tests
// inject faults here). PrivateFileSystem always wraps it.
DatabaseLayout make_layout(const RocksDBOptions& options, OpenMode mode,
                           std::shared_ptr<rocksdb::FileSystem> file_system = {});

}  // namespace portico::cache::internal
