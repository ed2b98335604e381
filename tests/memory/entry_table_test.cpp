// The shard's entry table: lookups by identity through inserts and backward-shift erases.
#include <doctest/doctest.h>

#include <cstddef>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "memory/entry_table.hpp"

using namespace portico::cache::internal;

namespace {

using Oracle = std::map<std::pair<std::string, std::optional<std::string>>, EntryNode*>;

EntryIdentity identity_of(const Oracle::key_type& key) {
  return {.key = key.first, .ns = key.second};
}

// The value bytes stored with an entry: different lengths for different entries, including none.
std::string value_of(std::uint64_t hits) {
  return std::string(hits % 97, static_cast<char>('a' + hits % 26));
}

EntryNode& insert(EntryTable& table, const Oracle::key_type& key, std::uint64_t hits) {
  return table.insert(IdentityView(identity_of(key)), value_of(hits), EntryNode{.hit_count = hits});
}

// Every stored identity finds its own node, and nothing else is stored.
void check_matches(EntryTable& table, const Oracle& oracle) {
  REQUIRE(table.size() == oracle.size());
  for (const auto& [key, node] : oracle) {
    const EntryIdentity identity = identity_of(key);
    REQUIRE(table.find(IdentityView(identity)) == node);
    // Stored copies, not views of the caller's strings.
    REQUIRE(node->value_bytes == value_of(node->hit_count));
    REQUIRE(node->identity.key == key.first);
    REQUIRE(node->identity.ns == key.second);
    REQUIRE(node->identity.key.data() != key.first.data());
  }
  std::size_t visited = 0;
  table.for_each([&](EntryNode& node) {
    ++visited;
    const IdentityView& identity = node.identity;
    const auto found = oracle.find(
        {std::string(identity.key),
         identity.ns ? std::optional<std::string>(*identity.ns) : std::nullopt});
    REQUIRE(found != oracle.end());
    REQUIRE(found->second == &node);
  });
  REQUIRE(visited == oracle.size());
}

}  // namespace

TEST_CASE("entry table: (ns, key) pairs that share a full_key are distinct entries") {
  std::size_t bytes = 0;
  EntryTable table(bytes);
  EntryNode& plain = insert(table, {"a:b:c", std::nullopt}, 1);
  EntryNode& in_a = insert(table, {"b:c", "a"}, 2);
  EntryNode& in_ab = insert(table, {"c", "a:b"}, 3);
  CHECK(table.find(IdentityView("a:b:c", std::nullopt)) == &plain);
  CHECK(table.find(IdentityView("b:c", "a")) == &in_a);
  CHECK(table.find(IdentityView("c", "a:b")) == &in_ab);
  CHECK(table.find(IdentityView("a", "b:c")) == nullptr);
  CHECK(table.find(IdentityView("a:b:c", "")) == nullptr);
  CHECK(in_ab.hit_count == 3);
}

TEST_CASE("entry table: random inserts and erases agree with a map, and memory is returned") {
  std::size_t bytes = 0;
  std::mt19937 random(20261202);
  {
    EntryTable table(bytes);
    Oracle oracle;
    // Few distinct identities, so that the table stays small and its clusters long: every
    // erase shifts entries back across wrapped probe sequences.
    std::uniform_int_distribution<int> name(0, 199);
    for (int step = 0; step < 20000; ++step) {
      const int n = name(random);
      Oracle::key_type key{"key-" + std::to_string(n),
                           n % 3 == 0 ? std::optional<std::string>("ns-" + std::to_string(n % 7))
                                      : std::nullopt};
      const auto found = oracle.find(key);
      if (found == oracle.end()) {
        oracle.emplace(key, &insert(table, key, static_cast<std::uint64_t>(n)));
      } else {
        REQUIRE(found->second->hit_count == static_cast<std::uint64_t>(n));
        table.erase(*found->second);
        oracle.erase(found);
        REQUIRE(table.find(IdentityView(identity_of(key))) == nullptr);
      }
      if (step % 997 == 0) {
        check_matches(table, oracle);
        table.shrink_to_fit();
        check_matches(table, oracle);
      }
    }
    check_matches(table, oracle);
    CHECK(bytes > 0);
    table.clear();
    CHECK(table.empty());
    CHECK(bytes == 0);
    oracle.clear();
    check_matches(table, oracle);
    insert(table, {"again", std::nullopt}, 7);
    CHECK(table.find(IdentityView("again", std::nullopt))->hit_count == 7);
  }
  CHECK(bytes == 0);  // the destructor frees every entry and the slot array
}
