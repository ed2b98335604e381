#include <doctest/doctest.h>

#include <limits>

#include "rocksdb/counter_merge.hpp"
#include "rocksdb/encoding.hpp"

using portico::cache::CacheKey;
namespace internal = portico::cache::internal;

TEST_CASE("ids keep (ns, key) distinct and sort by full_key") {
  const CacheKey a{.key = "c", .ns = "a:b"};
  const CacheKey b{.key = "b:c", .ns = "a"};
  const CacheKey c{.key = "a:b:c"};
  const auto ia = internal::encode_id(a);
  const auto ib = internal::encode_id(b);
  const auto ic = internal::encode_id(c);
  CHECK(ia != ib);
  CHECK(ib != ic);
  CHECK(internal::id_full_key(ia) == "a:b:c");
  CHECK(internal::decode_id(ia) == a);
  CHECK(internal::decode_id(ib) == b);
  CHECK(internal::decode_id(ic) == c);
  CHECK(internal::decode_id(ib)->ns == "a");
  CHECK(internal::encode_id(CacheKey{.key = "user:1"}) < internal::encode_id(CacheKey{.key = "user:2"}));
  CHECK_FALSE(internal::decode_id("ab").has_value());
}

TEST_CASE("times sort in time order, negative ones included") {
  auto encoded = [](std::int64_t t) {
    std::string out;
    internal::put_time(out, t);
    return out;
  };
  CHECK(encoded(-5) < encoded(0));
  CHECK(encoded(0) < encoded(1));
  CHECK(encoded(1) < encoded(std::numeric_limits<std::int64_t>::max()));
  CHECK(internal::read_time(encoded(-123456789)) == -123456789);
}

TEST_CASE("records round-trip and reject damage") {
  const internal::RecordHeader header{.created_ns = 10, .expires_ns = 20, .hit_count = 3,
                                      .last_accessed_ns = 15, .tags = {"a", "b"}};
  const std::string value = portico::cache::Value("hello").msgpack();
  const std::string bytes = internal::encode_record(header, value);
  const auto record = internal::decode_record(bytes);
  CHECK(record.header.created_ns == 10);
  CHECK(record.header.expires_ns == 20);
  CHECK(record.header.hit_count == 3);
  CHECK(record.header.tags == std::vector<std::string>{"a", "b"});
  CHECK(record.value_msgpack == value);
  std::optional<std::int64_t> expiry;
  CHECK(internal::decode_record_expiry(bytes, expiry));
  CHECK(expiry == 20);
  CHECK_THROWS_AS(internal::decode_record("garbage"), portico::cache::CorruptionError);
  CHECK_THROWS_AS(internal::decode_record(bytes.substr(0, 5)), portico::cache::CorruptionError);
  CHECK_FALSE(internal::decode_record_expiry("\xc1", expiry));
}

TEST_CASE("group index keys are prefix-free") {
  const std::string id = internal::encode_id(CacheKey{.key = "k"});
  const auto key = internal::group_index_key("ab", id);
  CHECK(key.starts_with(internal::group_prefix("ab")));
  CHECK_FALSE(key.starts_with(internal::group_prefix("a")));
  CHECK(internal::group_index_id(key) == id);
  CHECK(internal::group_index_group(key) == "ab");
  CHECK(internal::prefix_successor("ab") == "ac");
  CHECK(internal::prefix_successor(std::string("a\xff", 2)) == "b");
  CHECK(internal::prefix_successor(std::string("\xff\xff", 2)).empty());
}

TEST_CASE("the counter merge operator adds signed deltas and rejects malformed operands") {
  internal::CounterAddOperator op;
  std::string out;
  const std::string base = internal::encode_counter(10);
  const rocksdb::Slice base_slice(base);
  CHECK(op.Merge("k", &base_slice, internal::encode_counter(-3), &out, nullptr));
  CHECK(internal::decode_counter(out) == 7);
  CHECK(op.Merge("k", nullptr, internal::encode_counter(4), &out, nullptr));
  CHECK(internal::decode_counter(out) == 4);
  CHECK_FALSE(op.Merge("k", nullptr, rocksdb::Slice("bad"), &out, nullptr));
  CHECK(std::string(op.Name()) == "portico.CounterAdd");
}
