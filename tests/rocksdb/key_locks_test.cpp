#include <doctest/doctest.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "rocksdb/key_locks.hpp"

using portico::cache::internal::KeyLocks;

namespace {

// Two ids whose entries fall in different stripes.
std::pair<std::string, std::string> ids_in_two_stripes() {
  const std::string first = "id-0";
  for (int i = 1;; ++i) {
    std::string other = "id-" + std::to_string(i);
    if (KeyLocks::stripe_of(other) != KeyLocks::stripe_of(first)) return {first, other};
  }
}

}  // namespace

TEST_CASE("write versions: unchanged without writes, changed by a write of a noted stripe") {
  KeyLocks locks;
  const auto [mine, other] = ids_in_two_stripes();
  const std::vector<std::size_t> stripes{KeyLocks::stripe_of(mine)};

  KeyLocks::Versions noted = locks.versions_of(stripes);
  {
    const auto guard = locks.lock_entry(other);  // another stripe: no conflict
  }
  {
    const auto held = locks.lock_stripes(stripes);
    CHECK(locks.unchanged_since(noted, stripes));
  }

  noted = locks.versions_of(stripes);
  {
    const auto guard = locks.lock_entry(mine);
  }
  {
    const auto held = locks.lock_stripes(stripes);
    CHECK_FALSE(locks.unchanged_since(noted, stripes));
  }

  noted = locks.versions_of(stripes);
  {
    const auto guard = locks.lock_bulk();  // a bulk write may touch any entry
  }
  {
    const auto held = locks.lock_stripes(stripes);
    CHECK_FALSE(locks.unchanged_since(noted, stripes));
  }
}

TEST_CASE("write versions: a write under way when the versions are noted is a change") {
  KeyLocks locks;
  const std::string id = "id";
  const std::vector<std::size_t> stripes{KeyLocks::stripe_of(id)};
  std::optional<KeyLocks::Versions> noted;
  {
    const auto writer = locks.lock_entry(id);
    // The reader notes the versions while the writer holds the entry, whose write may not
    // have landed when the reader reads the record.
    noted = locks.versions_of(stripes);
  }
  const auto held = locks.lock_stripes(stripes);
  CHECK_FALSE(locks.unchanged_since(*noted, stripes));
}
