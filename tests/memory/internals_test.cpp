// The building blocks: shard planning, the eviction orders and footprint measurement.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "memory/footprint.hpp"
#include "memory/lfu_order.hpp"
#include "memory/lru_order.hpp"
#include "memory/shard_plan.hpp"

using namespace portico::cache::internal;

TEST_CASE("plan_shards: 32 per hardware thread, as a power of two, at most 64") {
  CHECK(plan_shards({}, {}, 0).shard_count == 32);  // unknown counts as one thread
  CHECK(plan_shards({}, {}, 1).shard_count == 32);
  CHECK(plan_shards({}, {}, 2).shard_count == 64);
  CHECK(plan_shards({}, {}, 3).shard_count == 64);
  CHECK(plan_shards({}, {}, 64).shard_count == 64);
}

TEST_CASE("plan_shards: small bounds use fewer shards") {
  CHECK(plan_shards(10, {}, 8).shard_count == 1);
  CHECK(plan_shards(127, {}, 8).shard_count == 1);
  CHECK(plan_shards(128, {}, 8).shard_count == 2);
  CHECK(plan_shards(16 * 64, {}, 8).shard_count == 16);
  CHECK(plan_shards(64 * 64, {}, 8).shard_count == 64);
  CHECK(plan_shards({}, std::size_t{3} << 20, 8).shard_count == 2);
  CHECK(plan_shards({}, std::size_t{1} << 10, 8).shard_count == 1);
  CHECK(plan_shards(1'000'000, std::size_t{1} << 20, 8).shard_count == 1);
}

TEST_CASE("shard bounds add up to exactly the cache's bounds") {
  const ShardPlan plan{.shard_count = 4};
  std::size_t entries = 0;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const ShardBounds bounds = plan.bounds_of(i, 1003, 4'000'002);
    entries += bounds.max_entries.value();
    bytes += bounds.max_bytes.value();
  }
  CHECK(entries == 1003);
  CHECK(bytes == 4'000'002);
  CHECK_FALSE(plan.bounds_of(0, {}, {}).max_entries.has_value());
}

namespace {

std::vector<EntryNode> make_nodes(std::size_t count) {
  std::vector<EntryNode> nodes(count);
  for (std::size_t i = 0; i < count; ++i) nodes[i].last_use = i;
  return nodes;
}

}  // namespace

TEST_CASE("LruOrder: victim skips the spare node") {
  std::vector<EntryNode> nodes = make_nodes(3);
  LruOrder order;
  CHECK(order.victim(nullptr) == nullptr);
  for (EntryNode& node : nodes) order.insert(node);
  CHECK(order.victim(nullptr) == &nodes[0]);
  CHECK(order.victim(&nodes[0]) == &nodes[1]);
  order.on_hit(nodes[0]);
  CHECK(order.victim(nullptr) == &nodes[1]);
  order.remove(nodes[1]);
  order.remove(nodes[2]);
  CHECK(order.victim(&nodes[0]) == nullptr);
}

TEST_CASE("LfuOrder: buckets follow hit counts and free their memory") {
  std::size_t allocated = 0;
  std::vector<EntryNode> nodes = make_nodes(3);
  {
    LfuOrder order(allocated);
    for (EntryNode& node : nodes) order.insert(node);
    CHECK(allocated > 0);  // one bucket for frequency 0

    const auto hit = [&](EntryNode& node) {
      ++node.hit_count;
      order.on_hit(node);
    };
    hit(nodes[0]);
    hit(nodes[0]);
    hit(nodes[1]);
    CHECK(order.victim(nullptr) == &nodes[2]);
    CHECK(order.victim(&nodes[2]) == &nodes[1]);
    hit(nodes[2]);  // ties with nodes[1] at one hit, and is more recent
    CHECK(order.victim(nullptr) == &nodes[1]);
    order.remove(nodes[1]);
    CHECK(order.victim(nullptr) == &nodes[2]);
    CHECK(order.victim(&nodes[2]) == &nodes[0]);

    // A rebuild inserts in ascending frequency with hit counts already set.
    order.reset();
    CHECK(allocated == 0);
    nodes[1].hit_count = 7;
    for (EntryNode* node : {&nodes[2], &nodes[0], &nodes[1]}) order.insert(*node);
    CHECK(order.victim(nullptr) == &nodes[2]);
    CHECK(order.precedes(nodes[0], nodes[1]));
    CHECK_FALSE(order.precedes(nodes[1], nodes[0]));
    // An insertion below the lowest bucket, then one between existing buckets.
    order.remove(nodes[2]);
    nodes[2].hit_count = 0;
    order.insert(nodes[2]);
    CHECK(order.victim(nullptr) == &nodes[2]);
    order.remove(nodes[2]);
    nodes[2].hit_count = 5;
    order.insert(nodes[2]);
    order.remove(nodes[0]);
    CHECK(order.victim(nullptr) == &nodes[2]);
    CHECK(order.victim(&nodes[2]) == &nodes[1]);
  }
  CHECK(allocated == 0);  // the destructor freed the remaining buckets
}

TEST_CASE("CountingAllocator counts what containers hold") {
  std::size_t allocated = 0;
  {
    std::vector<int, CountingAllocator<int>> numbers{CountingAllocator<int>(allocated)};
    numbers.reserve(100);
    CHECK(allocated == 100 * sizeof(int));
  }
  CHECK(allocated == 0);
}

TEST_CASE("heap_bytes sees through the small string optimisation") {
  CHECK(heap_bytes(std::string()) == 0);
  CHECK(heap_bytes(std::string("short")) == 0);
  const std::string long_text(1000, 'x');
  CHECK(heap_bytes(long_text) == long_text.capacity() + 1);
}
