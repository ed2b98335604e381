// RocksDBCacheAdapter: the embedded default, persistent on local disk.
//
// Entries, tags, namespaces and TTLs are durable once set() returns (written to the WAL; with
// sync_writes also fsynced). Access data (hit counts, last access, hit/miss totals) is kept in
// memory and flushed by the maintenance thread and on close, so a get never writes to disk;
// a crash can lose at most one maintenance interval of those counters, never an entry.
//
// cleanup_expired() takes the expired entries out of the count and out of sight at once; their
// records leave the disk at the next compaction (compact() or RocksDB's own). Once a cleanup
// has run, an entry expiring before the time it ran reads as expired even if the clock later
// goes back.
//
// Clock steps. Expiry is judged by the options' clock. A step forward makes entries whose
// expiry it passes read as expired (they are, by that clock); a cleanup during the step
// settles them for good. After a step back below the last cleanup's time, a new entry whose
// expiry falls before that time reads as expired at once, until the clock has caught up; entries
// expiring later are unaffected. clear() forgets the last cleanup's time. Known limit: a cleanup
// run during a large forward step (a year) therefore hides new short-lived entries until the
// clock reaches that time again or the cache is cleared.
//
// Damage. A record that cannot be decoded makes get() throw CorruptionError for that key only;
// set() replaces it and erase() removes it (reporting no entry erased), so a damaged key is
// never stuck; it leaves the entry count as the entry it was. cache-inspect verify --repair
// removes what cannot be read. Each maintenance chore (cleanup, purge of tag-erased records, access flush)
// fails on its own: a failure is reported as EventKind::maintenance_failed on the maintenance
// thread, logged once per chore to stderr, counted on disk (cache-inspect stats), and retried
// at the next round.
//
// Files. Every file and directory the adapter creates in the cache directory is private
// (0600 / 0700, whatever the umask); opening refuses a directory that is a symbolic link, that
// another user owns, or that group or others may write.
//
// erase_by_tags() reads only the tags index and writes one small batch: the entries it erases
// leave the count and every read at once, and their records are deleted later by maintenance
// (the thread, cleanup_expired() or compact()), which costs about what an erase of the same
// entries one by one would.
//
// One directory is owned by one open adapter at a time (this process or another): opening a
// directory that is in use throws CacheError (asked of its LOCK file, never guessed). A
// read-only adapter may share a directory with its writer; it sees the state of the moment it
// opened, and keeps no access data (a get shows the stored hit count plus that get).
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>

#include <portico/cache/adapter.hpp>
#include <portico/cache/export.hpp>
#include <portico/cache/rocksdb_options.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE

class PORTICO_CACHE_API RocksDBCacheAdapter final : public CacheAdapter {
 public:
  // Opens or creates the cache in `dir` (missing directories are created with mode 0700).
  // Throws CacheError when the directory is in use, is not a cache directory, has a newer
  // on-disk format, or is corrupt; nothing stays open after a throw.
  explicit RocksDBCacheAdapter(std::filesystem::path dir, RocksDBOptions options = {});
  // Flushes access data and closes; stops the maintenance thread first.
  ~RocksDBCacheAdapter() override;

  // Writes buffered access data (hit counts, last access, hit/miss totals) now.
  void flush();
  // Deletes the records erase_by_tags left, then compacts every column family; expired
  // entries are dropped on the way.
  void compact();

  const std::filesystem::path& directory() const;

 protected:
  std::optional<CacheEntry> do_get(const CacheKey& key) override;
  void do_set(const CacheKey& key, Value value, std::optional<Ttl> ttl) override;
  bool do_erase(const CacheKey& key) override;
  std::size_t do_erase_matching(const KeyPattern& pattern) override;
  std::size_t do_erase_by_namespace(const std::string& ns) override;
  std::size_t do_erase_by_tags(const std::vector<std::string>& tags) override;
  void do_clear() override;
  bool do_exists(const CacheKey& key) override;
  CacheStats do_get_stats() override;
  std::size_t do_cleanup_expired() override;
  std::vector<std::optional<CacheEntry>> do_get_many(const std::vector<CacheKey>& keys) override;
  void do_set_many(std::vector<CacheItem> items) override;
  std::size_t do_erase_many(const std::vector<CacheKey>& keys) override;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

PORTICO_CACHE_END_NAMESPACE
