#include "rocksdb/expiry_filter.hpp"

#include <optional>

#include "rocksdb/encoding.hpp"

namespace portico::cache::internal {

namespace {

class ExpiryFilter final : public rocksdb::CompactionFilter {
 public:
  ExpiryFilter(FilteredFamily family, std::optional<std::int64_t> now_ns,
               std::shared_ptr<std::atomic<std::uint64_t>> undecodable,
               std::shared_ptr<std::atomic<std::uint64_t>> dropped)
      : family_(family),
        now_us_(now_ns),
        undecodable_(std::move(undecodable)),
        dropped_(std::move(dropped)) {}

  Decision FilterV2(int /*level*/, const rocksdb::Slice& /*key*/, ValueType value_type,
                    const rocksdb::Slice& existing_value, std::string* /*new_value*/,
                    std::string* /*skip_until*/) const override {
    if (value_type != ValueType::kValue || !now_us_) return Decision::kKeep;
    std::optional<std::int64_t> expires_ns;
    if (!read_expiry(existing_value.ToStringView(), expires_ns)) {
      undecodable_->fetch_add(1, std::memory_order_relaxed);
      return Decision::kKeep;
    }
    if (expires_ns && *now_us_ > *expires_ns) {
      dropped_->fetch_add(1, std::memory_order_relaxed);
      return Decision::kRemove;
    }
    return Decision::kKeep;
  }

  const char* Name() const override { return "portico.ExpiryFilter"; }

 private:
  bool read_expiry(std::string_view value, std::optional<std::int64_t>& expires_ns) const {
    if (family_ == FilteredFamily::data) return decode_record_expiry(value, expires_ns);
    const auto index = decode_index_value(value);
    if (!index) return false;
    expires_ns = index->expires_ns;
    return true;
  }

  FilteredFamily family_;
  std::optional<std::int64_t> now_us_;  // nullopt: the clock failed, keep everything
  std::shared_ptr<std::atomic<std::uint64_t>> undecodable_;
  std::shared_ptr<std::atomic<std::uint64_t>> dropped_;
};

}  // namespace

ExpiryFilterFactory::ExpiryFilterFactory(FilteredFamily family, std::shared_ptr<const Clock> clock)
    : family_(family),
      clock_(std::move(clock)),
      undecodable_(std::make_shared<std::atomic<std::uint64_t>>(0)),
      dropped_(std::make_shared<std::atomic<std::uint64_t>>(0)) {}

std::unique_ptr<rocksdb::CompactionFilter> ExpiryFilterFactory::CreateCompactionFilter(
    const rocksdb::CompactionFilter::Context& /*context*/) {
  // One reading per compaction: an entry's fate does not depend on where in the run it falls.
  std::optional<std::int64_t> now_ns;
  try {
    now_ns = to_nanos(clock_->now());
  } catch (...) {
    now_ns.reset();
  }
  return std::make_unique<ExpiryFilter>(family_, now_ns, undecodable_, dropped_);
}

const char* ExpiryFilterFactory::Name() const {
  return family_ == FilteredFamily::data ? "portico.ExpiryFilterFactory.data"
                                         : "portico.ExpiryFilterFactory.index";
}

}  // namespace portico::cache::internal
