// How cache-inspect finds and opens a cache.
//
// Reading commands never take the directory's lock: a cache nobody has open is opened
// read-only; a cache held by a running application (its LOCK file is locked) is followed as a
// RocksDB secondary instance, whose scratch files live in a temporary directory removed
// afterwards, and one line on stderr says so. Writing commands open the cache read-write and
// refuse a locked directory with a message naming the LOCK file and its holder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <portico/cache/rocksdb_adapter.hpp>

#include "rocksdb/cache_directory.hpp"
#include "rocksdb/database.hpp"
#include "output.hpp"

namespace portico::cache::inspect {

// A cache directory named on the command line.
struct Target {
  std::filesystem::path dir;
  std::string spelled;  // as given, for messages
};

// DIR, or rocksdb://DIR (rocksdb:///absolute or rocksdb://relative, percent escapes decoded).
// Throws UsageError for another scheme or a malformed URL.
Target parse_target(std::string_view text);

using internal::LockState;
using internal::lock_file;
using internal::probe_lock;

// How a reading command looks at a cache that is in use.
enum class LiveView {
  follow,    // a secondary instance, caught up with the running application
  snapshot,  // a read-only instance: the state of the moment of opening (supports snapshots,
             // which verify needs and secondary instances do not offer)
};

// Who holds the cache's lock, as far as the caller knows.
enum class LockHolder {
  unknown,  // ask the LOCK file
  us,       // this process has the cache open read-write: the view must not touch LOCK,
            // because closing any descriptor of it would drop this process's lock
};

// A lock-free view for reading commands. Throws OpenError.
class ReadView {
 public:
  ReadView(const Target& target, const Output& out, LiveView live_view = LiveView::follow,
           LockHolder holder = LockHolder::unknown);
  ~ReadView();
  ReadView(const ReadView&) = delete;
  ReadView& operator=(const ReadView&) = delete;

  internal::Database& db() { return *db_; }
  // True when the cache is in use by another process.
  bool live() const { return live_; }

 private:
  bool live_ = false;
  std::filesystem::path scratch_;
  std::unique_ptr<internal::Database> db_;
};

// For writing commands (`what` names the operation in messages). Both throw OpenError when
// the cache is locked or cannot be opened; without `create`, a missing cache is an error too.
// `clock` is the adapter's clock (import pins it to compute exact remaining ttls).
std::unique_ptr<RocksDBCacheAdapter> open_adapter(
    const Target& target, std::string_view what, bool create = false,
    std::shared_ptr<const Clock> clock = system_clock_source());
std::unique_ptr<internal::Database> open_database(const Target& target, std::string_view what);

// Bytes of all files under `dir`.
std::uint64_t disk_size(const std::filesystem::path& dir);

}  // namespace portico::cache::inspect
