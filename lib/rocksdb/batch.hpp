// Batch: a rocksdb::WriteBatch whose every operation's status is checked.
//
// RocksDB refuses some operations (a key or value of 4 GiB or more, a column family it does
// not know) by returning a status and leaving the operation out of the batch; writing such a
// batch would apply the rest of a change that must be all or nothing. Every batch in
// lib/rocksdb/ is a Batch, so no status goes unchecked.
//
// Thread-safety: none; a batch belongs to the thread building it.
#pragma once

#include <string_view>

#include <rocksdb/write_batch.h>

#include "rocksdb/database.hpp"

namespace portico::cache::internal {

class Batch {
 public:
  void put(rocksdb::ColumnFamilyHandle* family, std::string_view key, std::string_view value) {
    check(batch_.Put(family, slice_of(key), slice_of(value)), "adding a write to a batch");
  }
  void del(rocksdb::ColumnFamilyHandle* family, std::string_view key) {
    check(batch_.Delete(family, slice_of(key)), "adding a delete to a batch");
  }
  void merge(rocksdb::ColumnFamilyHandle* family, std::string_view key, std::string_view value) {
    check(batch_.Merge(family, slice_of(key), slice_of(value)), "adding a merge to a batch");
  }
  // Deletes [begin, end).
  void delete_range(rocksdb::ColumnFamilyHandle* family, std::string_view begin,
                    std::string_view end) {
    check(batch_.DeleteRange(family, slice_of(begin), slice_of(end)),
          "adding a range delete to a batch");
  }

  int count() const { return batch_.Count(); }
  rocksdb::WriteBatch& raw() { return batch_; }

 private:
  static rocksdb::Slice slice_of(std::string_view s) { return {s.data(), s.size()}; }
  rocksdb::WriteBatch batch_;
};

}  // namespace portico::cache::internal
