#include "lfu_order.hpp"

#include <memory>
#include <tuple>

namespace portico::cache::internal {

LfuOrder::LfuOrder(std::size_t& counter) : allocator_(counter) {}

LfuOrder::~LfuOrder() { reset(); }

void LfuOrder::insert(EntryNode& node) {
  const std::uint64_t frequency = node.hit_count;
  FrequencyBucket* bucket = nullptr;
  if (lowest_ == nullptr || frequency <= lowest_->frequency_) {
    bucket = lowest_ != nullptr && lowest_->frequency_ == frequency ? lowest_
                                                                    : add_bucket(frequency, nullptr);
  } else {
    FrequencyBucket* below = highest_;
    while (below->frequency_ > frequency) below = below->lower_;
    bucket = below->frequency_ == frequency ? below : add_bucket(frequency, below);
  }
  bucket->entries_.push_back(node);
  node.bucket = bucket;
}

void LfuOrder::on_hit(EntryNode& node) {
  FrequencyBucket* from = node.bucket;
  const std::uint64_t frequency = node.hit_count;
  FrequencyBucket* to = from->higher_;
  if (to == nullptr || to->frequency_ != frequency) {
    if (from->entries_.front() == &node && node.order_next == nullptr) {
      // Alone in its bucket: the bucket itself moves up a frequency. Nothing lies between
      // (the next bucket's frequency is above the new one), so the order stays sorted.
      from->frequency_ = frequency;
      return;
    }
    to = add_bucket(frequency, from);
  }
  from->entries_.remove(node);
  to->entries_.push_back(node);
  node.bucket = to;
  if (from->entries_.empty()) drop_bucket(from);
}

void LfuOrder::remove(EntryNode& node) {
  FrequencyBucket* bucket = node.bucket;
  bucket->entries_.remove(node);
  node.bucket = nullptr;
  if (bucket->entries_.empty()) drop_bucket(bucket);
}

EntryNode* LfuOrder::victim(const EntryNode* spare) const {
  // At most one node is skipped, so this looks at no more than two nodes.
  for (const FrequencyBucket* bucket = lowest_; bucket != nullptr; bucket = bucket->higher_) {
    for (EntryNode* node = bucket->entries_.front(); node != nullptr; node = node->order_next) {
      if (node != spare) return node;
    }
  }
  return nullptr;
}

void LfuOrder::reset() {
  while (lowest_ != nullptr) {
    lowest_->entries_.reset();
    drop_bucket(lowest_);
  }
}

bool LfuOrder::precedes(const EntryNode& a, const EntryNode& b) const {
  return std::tie(a.hit_count, a.last_use) < std::tie(b.hit_count, b.last_use);
}

FrequencyBucket* LfuOrder::add_bucket(std::uint64_t frequency, FrequencyBucket* below) {
  FrequencyBucket* bucket = allocator_.allocate(1);
  std::construct_at(bucket, frequency);
  bucket->lower_ = below;
  bucket->higher_ = below != nullptr ? below->higher_ : lowest_;
  if (bucket->higher_ != nullptr) {
    bucket->higher_->lower_ = bucket;
  } else {
    highest_ = bucket;
  }
  if (below != nullptr) {
    below->higher_ = bucket;
  } else {
    lowest_ = bucket;
  }
  return bucket;
}

void LfuOrder::drop_bucket(FrequencyBucket* bucket) {
  if (bucket->lower_ != nullptr) {
    bucket->lower_->higher_ = bucket->higher_;
  } else {
    lowest_ = bucket->higher_;
  }
  if (bucket->higher_ != nullptr) {
    bucket->higher_->lower_ = bucket->lower_;
  } else {
    highest_ = bucket->lower_;
  }
  std::destroy_at(bucket);
  allocator_.deallocate(bucket, 1);
}

}  // namespace portico::cache::internal
