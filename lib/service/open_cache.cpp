#include <portico/cache/open_cache.hpp>

#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include <portico/cache/errors.hpp>

#include "service/open_cache_internal.hpp"
#include "service/url.hpp"

namespace portico::cache::internal {

namespace {

[[noreturn]] void bad(std::string message) {
  throw std::invalid_argument("cache URL: " + std::move(message));
}

}  // namespace

MemoryOptions memory_options_from(const CacheUrl& url) {
  if (!url.location.empty()) {
    bad(fmt::format("memory:// takes no host or path, got '{}'", url.location));
  }
  UrlParams params(url);
  MemoryOptions options;
  options.max_size = params.take_size("max_size", true);
  options.max_memory_bytes = params.take_size("max_memory", true);
  if (std::optional<std::string> eviction = params.take("eviction")) {
    if (*eviction == "lru") {
      options.eviction_policy = EvictionPolicy::lru;
    } else if (*eviction == "lfu") {
      options.eviction_policy = EvictionPolicy::lfu;
    } else {
      bad(fmt::format("memory: eviction must be lru or lfu, got '{}'", *eviction));
    }
  }
  options.enable_compression = params.take_bool("compression").value_or(false);
  if (std::optional<std::size_t> threshold = params.take_size("compression_threshold", false)) {
    options.compression_threshold = *threshold;
  }
  params.reject_unknown();
  return options;
}

RocksDBTarget rocksdb_target_from(const CacheUrl& url) {
  if (url.location.empty()) {
    bad("rocksdb:// needs a directory: rocksdb:///absolute/path or rocksdb://relative/path");
  }
  UrlParams params(url);
  RocksDBOptions options;
  options.sync_writes = params.take_bool("sync").value_or(false);
  options.read_only = params.take_bool("read_only").value_or(false);
  if (std::optional<std::size_t> bytes = params.take_size("block_cache", true)) {
    options.block_cache_bytes = *bytes;
  }
  if (std::optional<std::string> compression = params.take("compression")) {
    if (*compression == "none") {
      options.compression = Compression::none;
    } else if (*compression == "lz4") {
      options.compression = Compression::lz4;
    } else if (*compression == "zstd") {
      options.compression = Compression::zstd;
    } else {
      bad(fmt::format("rocksdb: compression must be none, lz4 or zstd, got '{}'", *compression));
    }
  }
  params.reject_unknown();
  // Resolved now, so the adapter's directory() is where the data really is even if the
  // process changes directory later.
  return RocksDBTarget{.directory = std::filesystem::absolute(url.location).lexically_normal(),
                       .options = options};
}

}  // namespace portico::cache::internal

PORTICO_CACHE_BEGIN_NAMESPACE

std::shared_ptr<CacheAdapter> open_cache(std::string_view url) {
  const internal::CacheUrl parsed = internal::parse_cache_url(url);
  if (parsed.scheme == "memory") {
    return std::make_shared<MemoryCacheAdapter>(internal::memory_options_from(parsed));
  }
  if (parsed.scheme == "rocksdb") {
    internal::RocksDBTarget target = internal::rocksdb_target_from(parsed);
    return std::make_shared<RocksDBCacheAdapter>(std::move(target.directory), target.options);
  }
  if (parsed.scheme == "redis" || parsed.scheme == "rediss" || parsed.scheme == "hybrid" ||
      parsed.scheme.starts_with("hybrid+")) {
    throw CacheError(fmt::format(
        "open_cache: the {}:// backend is not built into this build of portico-cache "
        "(available: memory://, rocksdb://)",
        parsed.scheme));
  }
  throw std::invalid_argument(fmt::format(
      "cache URL: unknown scheme '{}' (expected memory:// or rocksdb://)", parsed.scheme));
}

PORTICO_CACHE_END_NAMESPACE
