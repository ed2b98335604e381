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
};

DatabaseLayout make_layout(const RocksDBOptions& options, OpenMode mode);

}  // namespace portico::cache::internal
