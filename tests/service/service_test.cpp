// CacheService: defaults, SetOptions forms, typed reads, invalidation, statistics, warm-up.
#include <doctest/doctest.h>

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <portico/cache/service.hpp>

#include "fixtures.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico_test::make_adapter;

namespace {

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<CacheAdapter> adapter = make_adapter(clock);

  CacheService service(ServiceOptions options = {}) {
    options.clock = clock;
    return CacheService(adapter, std::move(options));
  }
};

}  // namespace

// The option types accept exactly the forms the contract names.
static_assert(std::is_convertible_v<std::chrono::hours, TtlOption>);
static_assert(std::is_convertible_v<std::chrono::minutes, TtlOption>);
static_assert(std::is_convertible_v<std::chrono::microseconds, TtlOption>);
static_assert(std::is_convertible_v<NoExpiry, TtlOption>);
// Finer or floating durations go through std::chrono::ceil<Ttl> first.
static_assert(!std::is_convertible_v<std::chrono::nanoseconds, TtlOption>);
static_assert(!std::is_convertible_v<std::chrono::duration<double>, TtlOption>);
static_assert(!std::is_convertible_v<int, TtlOption>);
static_assert(std::is_convertible_v<const char*, NsOption>);
static_assert(std::is_convertible_v<std::string, NsOption>);
static_assert(std::is_convertible_v<std::string_view, NsOption>);
static_assert(std::is_convertible_v<NoNamespace, NsOption>);
static_assert(!std::is_convertible_v<int, NsOption>);
static_assert(!std::is_copy_constructible_v<CacheService>);
static_assert(!std::is_move_constructible_v<CacheService>);

TEST_CASE("TtlOption and NsOption resolve against the service defaults") {
  const std::optional<Ttl> fallback = Ttl(1h);
  CHECK(TtlOption{}.is_default());
  CHECK(TtlOption{}.or_default(fallback) == fallback);
  CHECK(TtlOption{}.or_default(std::nullopt) == std::nullopt);
  CHECK(TtlOption{no_expiry}.is_no_expiry());
  CHECK(TtlOption{no_expiry}.or_default(fallback) == std::nullopt);
  CHECK(TtlOption{5min}.or_default(fallback) == Ttl(5min));
  CHECK(TtlOption{std::chrono::ceil<Ttl>(1500ns)}.duration() == Ttl(2));

  const std::optional<std::string> app = "app";
  CHECK(NsOption{}.is_default());
  CHECK(NsOption{}.or_default(app) == app);
  CHECK(NsOption{no_namespace}.or_default(app) == std::nullopt);
  CHECK(NsOption{"staging"}.or_default(app) == "staging");
  CHECK(NsOption{std::string("s")}.name() == "s");
  CHECK(NsOption{std::string_view("v")}.name() == "v");
  CHECK_THROWS_AS(NsOption(static_cast<const char*>(nullptr)), std::invalid_argument);
}

TEST_CASE("set and get use the default ttl and namespace when options are omitted") {
  Fixture f;
  CacheService svc = f.service({.default_ttl = 1h, .default_namespace = "app"});
  svc.set("user:123", 42);
  CHECK(svc.get<int>("user:123") == 42);
  CHECK(f.adapter->exists(CacheKey{.key = "user:123", .ns = "app"}));
  CHECK_FALSE(f.adapter->exists(CacheKey{.key = "user:123"}));
  CHECK(svc.get<int>("user:123", "app") == 42);
  CHECK_FALSE(svc.get<int>("user:123", no_namespace).has_value());

  f.clock->advance(1h);
  CHECK(svc.get<int>("user:123") == 42);
  f.clock->advance(1us);
  CHECK_FALSE(svc.get<int>("user:123").has_value());
}

TEST_CASE("SetOptions: every form means what it says") {
  Fixture f;
  CacheService svc = f.service({.default_ttl = 1h, .default_namespace = "app"});

  SUBCASE("{} takes both defaults") {
    svc.set("k", 1, {});
    CHECK(f.adapter->exists(CacheKey{.key = "k", .ns = "app"}));
    f.clock->advance(1h + 1us);
    CHECK_FALSE(svc.exists("k"));
  }
  SUBCASE("{.ttl = minutes(5)}") {
    svc.set("k", 1, {.ttl = std::chrono::minutes(5)});
    CHECK(f.adapter->exists(CacheKey{.key = "k", .ns = "app"}));
    f.clock->advance(5min);
    CHECK(svc.get<int>("k") == 1);
    f.clock->advance(1us);
    CHECK_FALSE(svc.get<int>("k").has_value());
  }
  SUBCASE("{.ttl = no_expiry}") {
    svc.set("k", 1, {.ttl = no_expiry});
    f.clock->advance(24h * 365 * 10);
    CHECK(svc.get<int>("k") == 1);
    const auto entry = f.adapter->get(CacheKey{.key = "k", .ns = "app"});
    REQUIRE(entry.has_value());
    CHECK_FALSE(entry->expires_at.has_value());
  }
  SUBCASE("{.ns = \"staging\"} and the other name types") {
    svc.set("k", 1, {.ns = "staging"});
    svc.set("k", 2, {.ns = std::string("prod")});
    svc.set("k", 3, {.ns = std::string_view("dev")});
    CHECK(svc.get<int>("k", "staging") == 1);
    CHECK(svc.get<int>("k", std::string("prod")) == 2);
    CHECK(svc.get<int>("k", std::string_view("dev")) == 3);
    CHECK_FALSE(svc.get<int>("k").has_value());  // "app" holds nothing
    f.clock->advance(1h + 1us);                   // the default ttl still applies
    CHECK_FALSE(svc.get<int>("k", "staging").has_value());
  }
  SUBCASE("{.ns = no_namespace}") {
    svc.set("k", 1, {.ns = no_namespace});
    CHECK(f.adapter->exists(CacheKey{.key = "k"}));
    CHECK(svc.get<int>("k", no_namespace) == 1);
    CHECK_FALSE(svc.get<int>("k").has_value());
  }
  SUBCASE("{.tags = {\"a\", \"b\"}}") {
    svc.set("k", 1, {.tags = {"a", "b"}});
    svc.set("other", 2, {.tags = {"c"}});
    const auto entry = f.adapter->get(CacheKey{.key = "k", .ns = "app"});
    REQUIRE(entry.has_value());
    CHECK(entry->key.tags == std::vector<std::string>{"a", "b"});
    CHECK(svc.invalidate_tags({"b"}) == 1);
    CHECK_FALSE(svc.exists("k"));
    CHECK(svc.exists("other"));
  }
  SUBCASE("all fields at once, as in the contract") {
    svc.set("config", std::string("v"), {.ttl = 5min, .ns = "staging", .tags = {"cfg"}});
    CHECK(svc.get<std::string>("config", "staging") == "v");
    CHECK(svc.invalidate_tags({"cfg"}) == 1);
  }
  SUBCASE("a zero or negative ttl and an empty namespace are rejected") {
    CHECK_THROWS_AS(svc.set("k", 1, {.ttl = 0s}), std::invalid_argument);
    CHECK_THROWS_AS(svc.set("k", 1, {.ttl = -1s}), std::invalid_argument);
    CHECK_THROWS_AS(svc.set("k", 1, {.ns = ""}), std::invalid_argument);
    CHECK_THROWS_AS(svc.set("", 1), std::invalid_argument);
    CHECK_THROWS_AS(svc.get<int>("k", ""), std::invalid_argument);
    CHECK(f.adapter->get_stats().total_entries == 0);
  }
}

TEST_CASE("a service without a default ttl stores entries that never expire") {
  Fixture f;
  CacheService svc = f.service({.default_ttl = std::nullopt});
  svc.set("k", 1);
  f.clock->advance(24h * 365);
  CHECK(svc.get<int>("k") == 1);
  CHECK(f.adapter->exists(CacheKey{.key = "k"}));  // no default namespace either
}

namespace {
struct Point {
  int x = 0;
  int y = 0;
  MSGPACK_DEFINE(x, y)
};
}  // namespace

TEST_CASE("get<T> converts, and a value of another type throws TypeError") {
  Fixture f;
  CacheService svc = f.service();
  svc.set("n", 7);
  svc.set("s", "text");
  svc.set("v", std::vector<int>{1, 2, 3});
  svc.set("p", Point{.x = 1, .y = 2});
  CHECK(svc.get<long>("n") == 7L);
  CHECK(svc.get<std::string>("s") == "text");
  CHECK(svc.get<std::vector<int>>("v") == std::vector<int>{1, 2, 3});
  const auto p = svc.get<Point>("p");
  REQUIRE(p.has_value());
  CHECK(p->x == 1);
  CHECK(p->y == 2);
  CHECK(svc.get<Value>("n") == Value(7));
  CHECK(svc.get_value("n") == Value(7));

  CHECK_THROWS_AS(svc.get<std::string>("n"), TypeError);
  CHECK_THROWS_AS(svc.get<int>("s"), TypeError);
  CHECK_THROWS_AS(svc.get<Point>("s"), TypeError);
  CHECK_FALSE(svc.get<std::string>("absent").has_value());  // a miss is not an error
}

TEST_CASE("erase and exists take a key and an optional namespace") {
  Fixture f;
  CacheService svc = f.service({.default_namespace = "app"});
  svc.set("k", 1);
  svc.set("k", 2, {.ns = "other"});
  svc.set("k", 3, {.ns = no_namespace});
  CHECK(svc.exists("k"));
  CHECK(svc.exists("k", "other"));
  CHECK(svc.exists("k", no_namespace));
  CHECK(svc.erase("k", "other"));
  CHECK_FALSE(svc.exists("k", "other"));
  CHECK_FALSE(svc.erase("k", "other"));
  CHECK(svc.exists("k"));
  CHECK(svc.erase("k"));
  CHECK_FALSE(svc.exists("k"));
  CHECK(svc.get<int>("k", no_namespace) == 3);
}

TEST_CASE("invalidation by tags, namespace, glob and regex; cleanup and clear") {
  Fixture f;
  CacheService svc = f.service({.default_namespace = "app"});
  svc.set("user:1", 1, {.tags = {"users"}});
  svc.set("user:2", 2, {.tags = {"users", "vip"}});
  svc.set("order:1", 3);
  svc.set("user:1", 4, {.ns = "staging"});

  // Patterns match the full key, namespace included.
  CHECK(svc.invalidate_pattern("user:*") == 0);
  CHECK(svc.invalidate_pattern("app:user:[2]") == 1);
  CHECK(svc.invalidate_regex("app:order:\\d+") == 1);
  CHECK(svc.exists("user:1"));
  CHECK(svc.invalidate_namespace("staging") == 1);
  CHECK_FALSE(svc.exists("user:1", "staging"));
  CHECK(svc.invalidate_tags({"users"}) == 1);
  CHECK_FALSE(svc.exists("user:1"));

  CHECK_THROWS_AS(svc.invalidate_pattern("[unclosed"), std::invalid_argument);
  CHECK_THROWS_AS(svc.invalidate_regex("(unclosed"), std::invalid_argument);

  svc.set("short", 1, {.ttl = 1s});
  svc.set("long", 2, {.ttl = 1h});
  f.clock->advance(2s);
  CHECK(svc.cleanup_expired() == 1);
  CHECK(svc.get_stats().cache.total_entries == 1);
  svc.clear_all();
  CHECK(svc.get_stats().cache.total_entries == 0);
}

TEST_CASE("get_stats: the adapter's snapshot plus the service's counters") {
  Fixture f;
  SUBCASE("enabled") {
    CacheService svc = f.service({.enable_stats = true});
    svc.set("a", 1);
    CHECK(svc.get<int>("a") == 1);
    CHECK_FALSE(svc.get<int>("b").has_value());
    CHECK(svc.get_or_set<int>("c", [] { return 3; }) == 3);
    const ServiceStats stats = svc.get_stats();
    CHECK(stats.cache.total_entries == 2);
    REQUIRE(stats.service.has_value());
    CHECK(stats.service->hits == 1);
    CHECK(stats.service->misses == 2);
    CHECK(stats.service->sets == 2);
    CHECK(stats.service->factory_calls == 1);
    CHECK(stats.service->factory_errors == 0);
  }
  SUBCASE("disabled: the service keeps no counters, the adapter still does") {
    CacheService svc = f.service({.enable_stats = false});
    svc.set("a", 1);
    CHECK(svc.get<int>("a") == 1);
    CHECK_FALSE(svc.get<int>("b").has_value());
    const ServiceStats stats = svc.get_stats();
    CHECK_FALSE(stats.service.has_value());
    CHECK(stats.cache.total_entries == 1);
    CHECK(stats.cache.total_hits == 1);
    CHECK(stats.cache.total_misses == 1);
  }
}

TEST_CASE("the constructor validates its options") {
  Fixture f;
  CHECK_THROWS_AS(CacheService(std::shared_ptr<CacheAdapter>()), std::invalid_argument);
  CHECK_THROWS_AS(CacheService(f.adapter, {.default_ttl = 0s}), std::invalid_argument);
  CHECK_THROWS_AS(CacheService(f.adapter, {.default_namespace = ""}), std::invalid_argument);
  CHECK_THROWS_AS(CacheService(f.adapter, {.clock = nullptr}), std::invalid_argument);
  CHECK_THROWS_AS(CacheService(f.adapter, {.early_refresh_beta = 0.0}), std::invalid_argument);
  CHECK_THROWS_AS(CacheService(f.adapter, {.early_refresh_beta = -1.0}), std::invalid_argument);
  CHECK_THROWS_AS(CacheService(f.adapter, {.stale_while_revalidate = 0s}),
                  std::invalid_argument);
}

TEST_CASE("a service over an adapter reference does not own it") {
  auto clock = std::make_shared<ManualClock>();
  auto adapter = make_adapter(clock);
  {
    CacheService svc(*adapter, {.default_ttl = 1h, .default_namespace = "app",
                                .enable_stats = true});
    svc.set("k", 1);
    CHECK(&svc.adapter() == adapter.get());
  }
  CHECK(adapter.use_count() == 1);
  CHECK(adapter->exists(CacheKey{.key = "k", .ns = "app"}));
}

TEST_CASE("the envelope's extension type is reserved") {
  Fixture f;
  CacheService svc = f.service();
  const Value reserved = Value(msgpack::type::ext(112, "x", 1));
  CHECK_THROWS_AS(svc.set("k", reserved), std::invalid_argument);
  CHECK_THROWS_AS(svc.get_or_set("k", [&] { return reserved; }), std::invalid_argument);
  // Other extension types are ordinary values.
  const Value other = Value(msgpack::type::ext(5, "x", 1));
  svc.set("k", other);
  CHECK(svc.get_value("k") == other);
}

TEST_CASE("warm preloads a range, an initializer list or a loader in chunks") {
  Fixture f;
  CacheService svc = f.service({.default_namespace = "app"});

  SUBCASE("a vector, in chunks of 2") {
    std::vector<WarmItem> items;
    for (int i = 0; i < 5; ++i) items.push_back({.key = "k" + std::to_string(i), .value = i});
    items.push_back({.key = "t", .value = 9, .options = {.ttl = 1s, .ns = "x", .tags = {"w"}}});
    CHECK(svc.warm(items, {.chunk_size = 2}) == 6);
    for (int i = 0; i < 5; ++i) CHECK(svc.get<int>("k" + std::to_string(i)) == i);
    CHECK(svc.get<int>("t", "x") == 9);
    f.clock->advance(2s);
    CHECK_FALSE(svc.exists("t", "x"));
    CHECK(svc.get_stats().service->sets == 6);
  }
  SUBCASE("an initializer list") {
    CHECK(svc.warm({{"a", 1}, {"b", "two"}}) == 2);
    CHECK(svc.get<std::string>("b") == "two");
  }
  SUBCASE("a loader") {
    int next = 0;
    const std::size_t written = svc.warm(
        [&]() -> std::optional<WarmItem> {
          if (next == 7) return std::nullopt;
          const int i = next++;
          return WarmItem{.key = "n" + std::to_string(i), .value = i * i};
        },
        {.chunk_size = 3});
    CHECK(written == 7);
    CHECK(svc.get<int>("n6") == 36);
  }
  SUBCASE("a bad item fails its chunk; earlier chunks stay") {
    std::vector<WarmItem> items = {{"a", 1}, {"b", 2}, {"c", 3}, {"", 4}};
    CHECK_THROWS_AS(svc.warm(items, {.chunk_size = 2}), std::invalid_argument);
    CHECK(svc.exists("a"));
    CHECK(svc.exists("b"));
    CHECK_FALSE(svc.exists("c"));
  }
  SUBCASE("chunk_size 0 is rejected") {
    CHECK_THROWS_AS(svc.warm(std::vector<WarmItem>{}, {.chunk_size = 0}),
                    std::invalid_argument);
  }
}
