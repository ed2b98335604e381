// open_cache URLs: the parser, the memory:// options, and every kind of bad input.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include <portico/cache/errors.hpp>
#include <portico/cache/memory_adapter.hpp>
#include <portico/cache/open_cache.hpp>

#include "service/open_cache_internal.hpp"
#include "service/url.hpp"

using namespace portico::cache;
using internal::parse_cache_url;

namespace {

MemoryOptions memory(std::string_view url) {
  return internal::memory_options_from(parse_cache_url(url));
}

internal::RocksDBTarget rocksdb(std::string_view url) {
  return internal::rocksdb_target_from(parse_cache_url(url));
}

// The message of the std::invalid_argument that opening `url` throws.
std::string rejection(std::string_view url) {
  try {
    open_cache(url);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<accepted>";
}

bool mentions(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("parse_cache_url splits scheme, location and parameters") {
  auto url = parse_cache_url("memory://");
  CHECK(url.scheme == "memory");
  CHECK(url.location.empty());
  CHECK(url.params.empty());

  url = parse_cache_url("ROCKSDB:///var/cache/app?sync=1&block_cache=64");
  CHECK(url.scheme == "rocksdb");
  CHECK(url.location == "/var/cache/app");
  REQUIRE(url.params.size() == 2);
  CHECK(url.params[0] == std::pair<std::string, std::string>("sync", "1"));
  CHECK(url.params[1] == std::pair<std::string, std::string>("block_cache", "64"));

  url = parse_cache_url("hybrid+rocksdb://./x?");
  CHECK(url.scheme == "hybrid+rocksdb");
  CHECK(url.location == "./x");
  CHECK(url.params.empty());

  // Values may be empty and may contain '='; only the first '=' separates.
  url = parse_cache_url("x://?a=&b=c=d");
  CHECK(url.params[0].second.empty());
  CHECK(url.params[1].second == "c=d");
}

TEST_CASE("percent escapes are decoded in the location, names and values") {
  const auto url = parse_cache_url("rocksdb:///tmp/my%20cache%2Fdir?n%61me=a%2Bb+c%25");
  CHECK(url.location == "/tmp/my cache/dir");
  REQUIRE(url.params.size() == 1);
  CHECK(url.params[0].first == "name");
  CHECK(url.params[0].second == "a+b+c%");  // '+' is not a space here
  CHECK(internal::percent_decode("%41%62c%7e", "x") == "Abc~");
  CHECK(internal::percent_decode("%7E%7e", "x") == "~~");
}

TEST_CASE("malformed URLs are std::invalid_argument") {
  for (const char* url : {
           "",                          // nothing
           "memory",                    // no "://"
           "memory:",                   // no "://"
           "memory:/",                  // no "://"
           "://x",                      // no scheme
           "1mem://",                   // a scheme starts with a letter
           "me mory://",                // a space in the scheme
           "memory://#frag",            // fragments
           "memory://?a=1#frag",
           "rocksdb:///tmp/%zz",        // bad escapes
           "rocksdb:///tmp/%4",
           "rocksdb:///tmp/%",
           "rocksdb:///tmp/a%00b",      // NUL
           "memory://?max_size",        // no '='
           "memory://?=5",              // no name
           "memory://?max_size=1&",     // stray '&'
           "memory://?&max_size=1",
           "memory://?a=1&&b=2",
           "memory://?max_size=1&max_size=2",  // repeated
           "memory://?max_size=1&max%5Fsize=2",  // repeated once decoded
           "memory://?max_size=%G0",
       }) {
    const std::string shown = url;
    CAPTURE(shown);
    CHECK_THROWS_AS(parse_cache_url(url), std::invalid_argument);
    CHECK_THROWS_AS(open_cache(url), std::invalid_argument);
  }
  CHECK(mentions(rejection("memory://?max_size=1&max_size=2"), "more than once"));
  CHECK(mentions(rejection("memory://?max_size"), "needs a value"));
  CHECK(mentions(rejection("rocksdb:///tmp/%zz"), "percent escape"));
}

TEST_CASE("memory:// options") {
  const MemoryOptions defaults = memory("memory://");
  CHECK_FALSE(defaults.max_size.has_value());
  CHECK_FALSE(defaults.max_memory_bytes.has_value());
  CHECK(defaults.eviction_policy == EvictionPolicy::lru);
  CHECK_FALSE(defaults.enable_compression);
  CHECK(defaults.compression_threshold == MemoryOptions{}.compression_threshold);
  CHECK(memory("memory://?").max_size == std::nullopt);

  const MemoryOptions all = memory(
      "memory://?max_size=1000&max_memory=67108864&eviction=lfu&compression=1"
      "&compression_threshold=512");
  CHECK(all.max_size == 1000u);
  CHECK(all.max_memory_bytes == 67108864u);
  CHECK(all.eviction_policy == EvictionPolicy::lfu);
  CHECK(all.enable_compression);
  CHECK(all.compression_threshold == 512u);

  CHECK(memory("memory://?eviction=lru").eviction_policy == EvictionPolicy::lru);
  CHECK(memory("memory://?compression=true").enable_compression);
  CHECK_FALSE(memory("memory://?compression=false").enable_compression);
  CHECK_FALSE(memory("memory://?compression=0").enable_compression);
  CHECK(memory("memory://?compression_threshold=0").compression_threshold == 0u);
  CHECK(memory("memory://?max_size=18446744073709551615").max_size ==
        std::size_t{18446744073709551615u});
}

TEST_CASE("memory:// bad values name the parameter") {
  struct Case {
    const char* url;
    const char* says;
  };
  for (const Case& c : {
           Case{"memory://?max_size=0", "max_size must be positive"},
           Case{"memory://?max_size=-1", "max_size must be a whole number"},
           Case{"memory://?max_size=+1", "max_size must be a whole number"},
           Case{"memory://?max_size=ten", "max_size must be a whole number"},
           Case{"memory://?max_size=10k", "max_size must be a whole number"},
           Case{"memory://?max_size=1.5", "max_size must be a whole number"},
           Case{"memory://?max_size=", "max_size must be a whole number"},
           Case{"memory://?max_size=%2010", "max_size must be a whole number"},
           Case{"memory://?max_size=18446744073709551616", "max_size is out of range"},
           Case{"memory://?max_memory=0", "max_memory must be positive"},
           Case{"memory://?max_memory=lots", "max_memory must be a whole number"},
           Case{"memory://?compression_threshold=-5", "compression_threshold must be a whole"},
           Case{"memory://?eviction=lrs", "eviction must be lru or lfu"},
           Case{"memory://?eviction=LRU", "eviction must be lru or lfu"},
           Case{"memory://?compression=yes", "compression must be 1, 0, true or false"},
           Case{"memory://?compression=", "compression must be 1, 0, true or false"},
           Case{"memory://?maxsize=10", "unknown parameter 'maxsize'"},
           Case{"memory://?sync=1", "unknown parameter 'sync'"},
           Case{"memory://somewhere", "memory:// takes no host or path"},
           Case{"memory:///path", "memory:// takes no host or path"},
       }) {
    const std::string url = c.url;
    CAPTURE(url);
    const std::string message = rejection(c.url);
    CAPTURE(message);
    CHECK(mentions(message, c.says));
  }
}

TEST_CASE("open_cache(memory://...) opens a working MemoryCacheAdapter") {
  const std::shared_ptr<CacheAdapter> cache = open_cache("memory://?max_size=2&eviction=lfu");
  auto* adapter = dynamic_cast<MemoryCacheAdapter*>(cache.get());
  REQUIRE(adapter != nullptr);
  CHECK(adapter->get_eviction_policy() == EvictionPolicy::lfu);
  cache->set(CacheKey{.key = "a"}, 1);
  cache->set(CacheKey{.key = "b"}, 2);
  cache->set(CacheKey{.key = "c"}, 3);
  CHECK(cache->get_stats().total_entries == 2);  // max_size holds
}

TEST_CASE("rocksdb:// locations and options (parsed, not opened)") {
  const auto absolute = rocksdb("rocksdb:///var/cache/app");
  CHECK(absolute.directory == std::filesystem::path("/var/cache/app"));
  CHECK(absolute.options.sync_writes == RocksDBOptions{}.sync_writes);
  CHECK(absolute.options.read_only == RocksDBOptions{}.read_only);
  CHECK(absolute.options.block_cache_bytes == RocksDBOptions{}.block_cache_bytes);
  CHECK(absolute.options.compression == RocksDBOptions{}.compression);

  const std::filesystem::path cwd = std::filesystem::current_path();
  CHECK(rocksdb("rocksdb://./var/cache").directory == cwd / "var" / "cache");
  CHECK(rocksdb("rocksdb://relative/path").directory == cwd / "relative" / "path");
  CHECK(rocksdb("rocksdb://var/../data").directory == cwd / "data");
  CHECK(rocksdb("rocksdb:///tmp/with%20space").directory == "/tmp/with space");

  const auto all = rocksdb(
      "rocksdb:///d?sync=1&read_only=true&block_cache=1048576&compression=zstd");
  CHECK(all.options.sync_writes);
  CHECK(all.options.read_only);
  CHECK(all.options.block_cache_bytes == 1048576u);
  CHECK(all.options.compression == Compression::zstd);
  CHECK(rocksdb("rocksdb:///d?compression=none").options.compression == Compression::none);
  CHECK(rocksdb("rocksdb:///d?compression=lz4").options.compression == Compression::lz4);
  CHECK_FALSE(rocksdb("rocksdb:///d?sync=0&read_only=false").options.sync_writes);
}

TEST_CASE("rocksdb:// bad input") {
  struct Case {
    const char* url;
    const char* says;
  };
  for (const Case& c : {
           Case{"rocksdb://", "rocksdb:// needs a directory"},
           Case{"rocksdb://?sync=1", "rocksdb:// needs a directory"},
           Case{"rocksdb:///d?block_cache=0", "block_cache must be positive"},
           Case{"rocksdb:///d?block_cache=32MB", "block_cache must be a whole number"},
           Case{"rocksdb:///d?sync=2", "sync must be 1, 0, true or false"},
           Case{"rocksdb:///d?read_only=no", "read_only must be 1, 0, true or false"},
           Case{"rocksdb:///d?compression=snappy", "compression must be none, lz4 or zstd"},
           Case{"rocksdb:///d?max_size=5", "unknown parameter 'max_size'"},
           Case{"rocksdb:///d?sync=1&sync=1", "more than once"},
       }) {
    const std::string url = c.url;
    CAPTURE(url);
    std::string message;
    try {
      rocksdb(c.url);
    } catch (const std::invalid_argument& e) {
      message = e.what();
    }
    CAPTURE(message);
    CHECK(mentions(message, c.says));
  }
}

TEST_CASE("unknown schemes are invalid; redis and hybrid are not built in") {
  CHECK(mentions(rejection("postgres://localhost/db"), "unknown scheme 'postgres'"));
  CHECK(mentions(rejection("file:///tmp/x"), "unknown scheme 'file'"));
  for (const char* url : {"redis://localhost:6379/0", "rediss://host:6380/1", "REDIS://h",
                          "hybrid://", "hybrid+rocksdb://./var/cache",
                          "hybrid+redis://localhost:6379/0"}) {
    const std::string shown = url;
    CAPTURE(shown);
    try {
      open_cache(url);
      FAIL("accepted");
    } catch (const std::invalid_argument&) {
      FAIL("a CacheError was expected");
    } catch (const CacheError& e) {
      CHECK(mentions(e.what(), "not built into this build"));
    }
  }
}
