#include <portico/cache/rocksdb_adapter.hpp>

#include <array>
#include <atomic>
#include <cstdio>
#include <exception>

#include <fmt/format.h>

#include "core/event_sink.hpp"
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
              options),
        events(options.on_event) {
    if (options.maintenance_interval && !options.read_only) {
      maintenance.start(*options.maintenance_interval, [this] { run_maintenance(); });
    }
  }

  // Each chore fails on its own: a damaged record that stops the purge must not stop the
  // cleanup or the flush of access data.
  void run_maintenance() {
    run_chore(Chore::cleanup, [this] { store.cleanup_expired(); });
    run_chore(Chore::purge, [this] { store.purge_erased(); });
    run_chore(Chore::flush, [this] { store.flush(); });
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
  internal::EventSink events;
  internal::PeriodicTask maintenance;  // last: stopped first

 private:
  enum class Chore : std::size_t { cleanup, purge, flush };
  static constexpr std::array<const char*, 3> kChoreNames = {"cleanup_expired", "purge",
                                                             "access flush"};

  template <class Run>
  void run_chore(Chore chore, Run&& run) {
    try {
      run();
    } catch (const std::exception& e) {
      report_failure(chore, e.what());
    } catch (...) {
      report_failure(chore, "unknown failure");
    }
  }

  void report_failure(Chore chore, const char* what) {
    const std::string message = fmt::format("maintenance chore '{}' of cache {} failed: {}",
                                            kChoreNames[static_cast<std::size_t>(chore)],
                                            store.database().dir().string(), what);
    store.note_maintenance_failure();
    // Logged once per chore and cache; every failure is counted and reported as an event.
    if (!logged[static_cast<std::size_t>(chore)].exchange(true)) {
      std::fprintf(stderr, "portico-cache: %s (later failures are counted, not logged)\n",
                   message.c_str());
    }
    events.emit(CacheEvent{.kind = EventKind::maintenance_failed, .message = message,
                           .key = {}, .count = 1});
  }

  std::array<std::atomic<bool>, 3> logged{};
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
