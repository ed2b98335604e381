// cached(): memoised functions over a CacheService.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include <portico/cache/cached.hpp>

#include "fixtures.hpp"

using namespace portico::cache;
using namespace std::chrono_literals;
using portico_test::eventually;
using portico_test::Gate;
using portico_test::make_adapter;

namespace {

struct Query {
  std::string country;
  int min_age = 0;
  MSGPACK_DEFINE(country, min_age)
};

struct Profile {
  int id = 0;
  std::string name;
  std::vector<std::string> roles;
  bool operator==(const Profile&) const = default;
  MSGPACK_DEFINE_MAP(id, name, roles)
};

std::atomic<int> g_profile_calls{0};

Profile get_user_profile(int id) {
  g_profile_calls.fetch_add(1);
  return Profile{.id = id, .name = "user" + std::to_string(id), .roles = {"reader"}};
}

int add(int a, int b) { return a + b; }

struct Fixture {
  std::shared_ptr<ManualClock> clock = std::make_shared<ManualClock>();
  std::shared_ptr<CacheAdapter> adapter = make_adapter(clock);
};

}  // namespace

// The memoised callable has fn's signature, whatever fn is.
static_assert(std::is_same_v<detail::signature_t<decltype(&add)>, int(int, int)>);
static_assert(std::is_same_v<detail::signature_t<decltype(add)>, int(int, int)>);
static_assert(std::is_same_v<detail::signature_t<std::function<long(const std::string&)>>,
                             long(const std::string&)>);
static_assert(std::is_same_v<detail::signature_t<decltype([](double) { return 1; })>,
                             int(double)>);
static_assert(std::is_same_v<detail::signature_t<decltype([](int) mutable { return 1; })>,
                             int(int)>);
static_assert(std::is_invocable_r_v<int, Memoized<int(int, int)>, int, int>);
static_assert(std::is_copy_constructible_v<Memoized<int(int, int)>>);

TEST_CASE("cached memoises a function pointer under from_function_call keys") {
  Fixture f;
  CacheService svc(f.adapter, {.clock = f.clock});
  g_profile_calls = 0;
  auto profile = cached(svc, "get_user_profile", get_user_profile, {.ttl = 10min});
  const Profile first = profile(42);
  CHECK(first == get_user_profile(42));
  g_profile_calls = 0;
  CHECK(profile(42) == first);
  CHECK(profile(42) == first);
  CHECK(g_profile_calls.load() == 0);
  CHECK(profile(7).id == 7);
  CHECK(g_profile_calls.load() == 1);

  // The key is the documented one, so other code can find the entry.
  const CacheKey key = CacheKey::from_function_call("get_user_profile", std::make_tuple(42));
  CHECK(svc.get<Profile>(key.key) == first);

  // ttl from the options.
  f.clock->advance(10min + 1us);
  CHECK(profile(42) == first);
  CHECK(g_profile_calls.load() == 2);
}

TEST_CASE("cached works with lambdas, std::function and functors; copies share the cache") {
  Fixture f;
  CacheService svc(f.adapter, {.clock = f.clock});
  int calls = 0;
  auto lambda = cached(svc, "concat", [&](const std::string& a, std::string_view b) {
    ++calls;
    return a + std::string(b);
  });
  CHECK(lambda("ab", "cd") == "abcd");
  CHECK(lambda(std::string("ab"), std::string_view("cd")) == "abcd");
  CHECK(calls == 1);

  const auto copy = lambda;
  CHECK(copy("ab", "cd") == "abcd");
  CHECK(calls == 1);

  std::function<int(int, int)> fn = add;
  auto from_function = cached(svc, "add", fn);
  CHECK(from_function(2, 3) == 5);
  // Equal arguments of other integer types reach the same entry.
  CHECK(svc.get<int>(CacheKey::from_function_call("add", std::make_tuple(2L, 3u)).key) == 5);

  struct Square {
    int operator()(int x) const { return x * x; }
  };
  auto functor = cached(svc, "square", Square{});
  CHECK(functor(9) == 81);
}

TEST_CASE("cached with structs as arguments and results") {
  Fixture f;
  CacheService svc(f.adapter, {.clock = f.clock});
  std::atomic<int> calls{0};
  auto search = cached(svc, "search", [&](const Query& q) {
    calls.fetch_add(1);
    return std::vector<Profile>{Profile{.id = q.min_age, .name = q.country, .roles = {}}};
  });
  const auto hits = search(Query{.country = "se", .min_age = 30});
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].name == "se");
  CHECK(search(Query{.country = "se", .min_age = 30}) == hits);
  CHECK(calls.load() == 1);
  // Any differing field is another key.
  CHECK(search(Query{.country = "se", .min_age = 31})[0].id == 31);
  CHECK(search(Query{.country = "no", .min_age = 30})[0].name == "no");
  CHECK(calls.load() == 3);
}

TEST_CASE("cached: exceptions propagate and are never cached") {
  Fixture f;
  CacheService svc(f.adapter, {.clock = f.clock});
  int calls = 0;
  bool fail = true;
  auto flaky = cached(svc, "flaky", [&](int x) {
    ++calls;
    if (fail) throw std::runtime_error("flaky failed");
    return x;
  });
  CHECK_THROWS_WITH_AS(flaky(1), "flaky failed", std::runtime_error);
  CHECK_THROWS_AS(flaky(1), std::runtime_error);
  CHECK(calls == 2);
  fail = false;
  CHECK(flaky(1) == 1);
  CHECK(flaky(1) == 1);
  CHECK(calls == 3);
}

TEST_CASE("cached: concurrent equal calls run the function once") {
  Fixture f;
  CacheService svc(f.adapter, {.clock = f.clock});
  Gate release;
  std::atomic<int> calls{0};
  auto slow = cached(svc, "slow", [&](int x) {
    calls.fetch_add(1);
    REQUIRE(release.wait());
    return x * 2;
  });
  std::vector<std::future<int>> callers;
  for (int i = 0; i < 8; ++i) {
    callers.push_back(std::async(std::launch::async, [&] { return slow(21); }));
  }
  REQUIRE(eventually([&] { return svc.get_stats().service->coalesced == 7; }));
  release.open();
  for (auto& caller : callers) CHECK(caller.get() == 42);
  CHECK(calls.load() == 1);
}

TEST_CASE("cached: namespace, tags and key_func from the options") {
  Fixture f;
  CacheService svc(f.adapter, {.default_namespace = "app", .clock = f.clock});
  int calls = 0;
  auto user = cached(svc, "user", [&](int id) { return ++calls + id * 0; },
                     {.ttl = no_expiry,
                      .ns = "users",
                      .tags = {"user-data"},
                      .key_func = [](const int& id) { return "user:" + std::to_string(id); }});
  CHECK(user(5) == 1);
  CHECK(user(5) == 1);
  CHECK(svc.get<int>("user:5", "users") == 1);
  const auto entry = f.adapter->get(CacheKey{.key = "user:5", .ns = "users"});
  REQUIRE(entry.has_value());
  CHECK_FALSE(entry->expires_at.has_value());
  CHECK(svc.invalidate_tags({"user-data"}) == 1);
  CHECK(user(5) == 2);

  CHECK_THROWS_AS(cached(svc, "", add), std::invalid_argument);
}

TEST_CASE("invalidate_pattern drops every memoised result of one function") {
  Fixture f;
  g_profile_calls = 0;

  SUBCASE("without a namespace the full key starts with the function's name") {
    CacheService svc(f.adapter, {.clock = f.clock});
    auto profile = cached(svc, "get_user_profile", get_user_profile);
    auto sum = cached(svc, "add", add);
    for (int id = 0; id < 5; ++id) profile(id);
    CHECK(sum(1, 2) == 3);
    CHECK(svc.invalidate_pattern("get_user_profile:*") == 5);
    CHECK(svc.get_stats().cache.total_entries == 1);  // add's result stays
    g_profile_calls = 0;
    profile(3);
    CHECK(g_profile_calls.load() == 1);
  }
  SUBCASE("with a default namespace the pattern must name it: full key = ns:name:hash") {
    CacheService svc(f.adapter, {.default_namespace = "app", .clock = f.clock});
    auto profile = cached(svc, "get_user_profile", get_user_profile);
    for (int id = 0; id < 5; ++id) profile(id);
    CHECK(svc.invalidate_pattern("get_user_profile:*") == 0);
    CHECK(svc.invalidate_pattern("app:get_user_profile:*") == 5);
    CHECK(svc.get_stats().cache.total_entries == 0);
  }
}

TEST_CASE("cached under stale-while-revalidate refreshes in the background with copied args") {
  Fixture f;
  CacheService svc(f.adapter, {.default_ttl = 10s,
                               .clock = f.clock,
                               .stale_while_revalidate = 1min});
  auto calls = std::make_shared<std::atomic<int>>(0);
  auto greet = cached(svc, "greet", [calls](const std::string& name) {
    return name + std::to_string(calls->fetch_add(1));
  });
  CHECK(greet("ann") == "ann0");
  f.clock->advance(11s);
  {
    std::string temporary = "ann";
    CHECK(greet(temporary) == "ann0");  // stale, while a refresh runs with a copy of "ann"
  }
  REQUIRE(eventually([&] { return greet("ann") == "ann1"; }));
}
