// Compaction filters that drop expired entries from the data family and expired index entries
// from the tags, namespaces and created families.
//
// The expiry family is never filtered: it is the ledger by which cleanup_expired accounts for
// entries the filter dropped, which keeps the entry count exact.
// The filters read time from an injected clock, so tests drive them with a ManualClock. A
// clock that throws counts as "not expired" (keep the data), and an undecodable value is kept
// and counted as corruption: a filter never throws and never drops what it cannot read.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include <rocksdb/compaction_filter.h>

#include <portico/cache/time.hpp>

namespace portico::cache::internal {

enum class FilteredFamily { data, index };

class ExpiryFilterFactory final : public rocksdb::CompactionFilterFactory {
 public:
  ExpiryFilterFactory(FilteredFamily family, std::shared_ptr<const Clock> clock);

  std::unique_ptr<rocksdb::CompactionFilter> CreateCompactionFilter(
      const rocksdb::CompactionFilter::Context& context) override;
  // Stored in the database's OPTIONS file: never change these names.
  const char* Name() const override;

  // Values the filters could not decode, since this factory was created.
  std::uint64_t undecodable_values() const { return undecodable_->load(); }
  std::uint64_t dropped() const { return dropped_->load(); }

 private:
  FilteredFamily family_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<std::atomic<std::uint64_t>> undecodable_;
  std::shared_ptr<std::atomic<std::uint64_t>> dropped_;
};

}  // namespace portico::cache::internal
