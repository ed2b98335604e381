#include "rocksdb/reads.hpp"

namespace portico::cache::internal {

bool MultiGetResult::present(std::size_t i, std::string_view what) const {
  if (statuses[i].IsNotFound()) return false;
  check(statuses[i], what);
  return true;
}

bool read_one(Database& db, Family family, std::string_view key, rocksdb::PinnableSlice& value,
              std::string_view what) {
  const rocksdb::Status status =
      db.db().Get(rocksdb::ReadOptions(), db.family(family), slice(key), &value);
  if (status.IsNotFound()) return false;
  check(status, what);
  return true;
}

MultiGetResult read_many(Database& db, Family family, const std::vector<rocksdb::Slice>& keys,
                         const rocksdb::ReadOptions& read) {
  MultiGetResult result;
  result.values.resize(keys.size());
  result.statuses.resize(keys.size());
  if (keys.empty()) return result;
  db.db().MultiGet(read, db.family(family), keys.size(), keys.data(), result.values.data(),
                   result.statuses.data());
  return result;
}

}  // namespace portico::cache::internal
