#include <portico/cache/rocksdb_adapter.hpp>

#include "rocksdb/database.hpp"
#include "rocksdb/store.hpp"
#include "util/periodic_task.hpp"

PORTICO_CACHE_BEGIN_NAMESPACE

class RocksDBCacheAdapter::Impl {
 public:
  Impl(std::filesystem::path dir, const RocksDBOptions& options)
      : store(std::make_unique<internal::Database>(internal::OpenRequest{
                  .dir = std::move(dir),
                  .options = options,
                  .mode = options.read_only ? internal::OpenMode::read_only
                                            : internal::OpenMode::read_write}),
              options) {
    if (options.maintenance_interval && !options.read_only) {
      maintenance.start(*options.maintenance_interval, [this] {
        store.cleanup_expired();
        store.purge_erased();
        store.flush();
      });
    }
  }

  ~Impl() {
    // The thread goes first so nothing races the final flush.
    maintenance.stop();
    try {
      store.flush();
    } catch (...) {
      // A destructor cannot report; only access counters are at stake, never entries.
    }
  }

  internal::Store store;
  internal::PeriodicTask maintenance;
};

RocksDBCacheAdapter::RocksDBCacheAdapter(std::filesystem::path dir, RocksDBOptions options)
    : impl_(std::make_unique<Impl>(std::move(dir), options)) {}

RocksDBCacheAdapter::~RocksDBCacheAdapter() = default;

void RocksDBCacheAdapter::flush() { impl_->store.flush(); }
void RocksDBCacheAdapter::compact() { impl_->store.compact(); }
const std::filesystem::path& RocksDBCacheAdapter::directory() const {
  return impl_->store.database().dir();
}

std::optional<CacheEntry> RocksDBCacheAdapter::do_get(const CacheKey& key) {
  return impl_->store.get(key);
}

void RocksDBCacheAdapter::do_set(const CacheKey& key, Value value, std::optional<Ttl> ttl) {
  impl_->store.set(key, value, ttl);
}

bool RocksDBCacheAdapter::do_erase(const CacheKey& key) {
  return impl_->store.erase_many({key}) > 0;
}

std::size_t RocksDBCacheAdapter::do_erase_matching(const KeyPattern& pattern) {
  return impl_->store.erase_matching(pattern);
}

std::size_t RocksDBCacheAdapter::do_erase_by_namespace(const std::string& ns) {
  return impl_->store.erase_group(internal::Family::namespaces, {ns});
}

std::size_t RocksDBCacheAdapter::do_erase_by_tags(const std::vector<std::string>& tags) {
  return impl_->store.erase_tagged(tags);
}

void RocksDBCacheAdapter::do_clear() { impl_->store.clear(); }

bool RocksDBCacheAdapter::do_exists(const CacheKey& key) { return impl_->store.exists(key); }

CacheStats RocksDBCacheAdapter::do_get_stats() { return impl_->store.stats(); }

std::size_t RocksDBCacheAdapter::do_cleanup_expired() {
  const std::size_t settled = impl_->store.cleanup_expired();
  impl_->store.purge_erased();  // maintenance for callers that run it themselves
  return settled;
}

std::vector<std::optional<CacheEntry>> RocksDBCacheAdapter::do_get_many(
    const std::vector<CacheKey>& keys) {
  return impl_->store.get_many(keys);
}

void RocksDBCacheAdapter::do_set_many(std::vector<CacheItem> items) {
  impl_->store.set_many(std::move(items));
}

std::size_t RocksDBCacheAdapter::do_erase_many(const std::vector<CacheKey>& keys) {
  return impl_->store.erase_many(keys);
}

PORTICO_CACHE_END_NAMESPACE
