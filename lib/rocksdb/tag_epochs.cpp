#include "rocksdb/tag_epochs.hpp"

#include <algorithm>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <rocksdb/iterator.h>

#include "rocksdb/counter_merge.hpp"

namespace portico::cache::internal {

std::string TagEpochs::stored_key(std::string_view tag) {
  std::string key(kMetaTagEpochPrefix);
  key.append(tag);
  return key;
}

std::vector<std::pair<std::string, std::int64_t>> TagEpochs::read_stored(
    Database& db, const rocksdb::ReadOptions& read) {
  std::vector<std::pair<std::string, std::int64_t>> stored;
  std::unique_ptr<rocksdb::Iterator> it(db.db().NewIterator(read, db.family(Family::meta)));
  const rocksdb::Slice prefix(kMetaTagEpochPrefix.data(), kMetaTagEpochPrefix.size());
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    std::string tag = it->key().ToString().substr(prefix.size());
    const auto epoch = decode_counter(it->value().ToStringView());
    if (!epoch) throw CorruptionError(fmt::format("the epoch of tag '{}' is damaged", tag));
    stored.emplace_back(std::move(tag), *epoch);
  }
  check(it->status(), "reading tag epochs");
  return stored;
}

void TagEpochs::load(Database& db, const rocksdb::ReadOptions& read) {
  clear();
  for (auto& [tag, epoch] : read_stored(db, read)) raise(tag, epoch);
}

bool TagEpochs::erases(const RecordHeader& header) const {
  if (header.tags.empty() || empty()) return false;
  std::shared_lock lock(mutex_);
  for (const std::string& tag : header.tags) {
    const auto it = epochs_.find(tag);
    if (it != epochs_.end() && header.created_ns <= it->second) return true;
  }
  return false;
}

std::optional<std::int64_t> TagEpochs::epoch_of(std::string_view tag) const {
  if (empty()) return std::nullopt;
  std::shared_lock lock(mutex_);
  const auto it = epochs_.find(tag);
  if (it == epochs_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::pair<std::string, std::int64_t>> TagEpochs::snapshot() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::string, std::int64_t>> all(epochs_.begin(), epochs_.end());
  std::sort(all.begin(), all.end());
  return all;
}

void TagEpochs::raise(const std::string& tag, std::int64_t epoch) {
  std::unique_lock lock(mutex_);
  std::int64_t& stored = epochs_.try_emplace(tag, epoch).first->second;
  stored = std::max(stored, epoch);
  size_.store(epochs_.size(), std::memory_order_release);
  if (epoch > highest_.load(std::memory_order_relaxed)) {
    highest_.store(epoch, std::memory_order_release);  // only raise() writes it, under mutex_
  }
}

bool TagEpochs::retire(const std::string& tag, std::int64_t epoch) {
  std::unique_lock lock(mutex_);
  const auto it = epochs_.find(tag);
  if (it == epochs_.end() || it->second != epoch) return false;
  epochs_.erase(it);
  size_.store(epochs_.size(), std::memory_order_release);
  return true;
}

void TagEpochs::clear() {
  std::unique_lock lock(mutex_);
  epochs_.clear();
  size_.store(0, std::memory_order_release);
}

}  // namespace portico::cache::internal
