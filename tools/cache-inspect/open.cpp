#include "open.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>
#include <fmt/std.h>

#include <portico/cache/errors.hpp>

#include "cli.hpp"
#include "service/url.hpp"

namespace portico::cache::inspect {

namespace {

std::string locked_message(const Target& target, std::string_view what, const LockState& lock) {
  const std::string holder =
      lock.holder_pid ? fmt::format("process {} holds its lock {}", *lock.holder_pid,
                                    lock_file(target.dir))
                      : fmt::format("another process holds its lock {}", lock_file(target.dir));
  return fmt::format(
      "refusing to {}: cache {} is in use ({}); close the application using it first "
      "(reading commands work on a live cache)",
      what, target.spelled, holder);
}

void require_cache(const Target& target) {
  std::error_code error;
  if (!std::filesystem::exists(target.dir, error)) {
    throw OpenError(fmt::format("no cache at {}: no such directory", target.spelled));
  }
  if (!std::filesystem::is_directory(target.dir, error)) {
    throw OpenError(fmt::format("{} is not a directory", target.spelled));
  }
  if (!std::filesystem::exists(target.dir / "CURRENT", error)) {
    throw OpenError(
        fmt::format("{} is not a cache directory: it holds no cache database", target.spelled));
  }
}

RocksDBOptions quiet_options() {
  // No maintenance thread: the tool does exactly what it was asked and nothing else.
  return RocksDBOptions{.maintenance_interval = std::nullopt};
}

}  // namespace

Target parse_target(std::string_view text) {
  if (text.empty()) throw UsageError("DIR_OR_URL must not be empty");
  if (text.find("://") == std::string_view::npos) {
    return Target{.dir = std::filesystem::path(std::string(text)), .spelled = std::string(text)};
  }
  // The same URL syntax as open_cache, so that a URL an application uses works here too.
  internal::CacheUrl url;
  try {
    url = internal::parse_cache_url(text);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  if (url.scheme != "rocksdb") {
    throw UsageError(fmt::format(
        "unsupported cache URL scheme '{}': cache-inspect opens cache directories, given as a "
        "path or a rocksdb:// URL",
        url.scheme));
  }
  if (!url.params.empty()) {
    throw UsageError(fmt::format(
        "'{}': cache-inspect takes no URL parameters; give the directory only", text));
  }
  if (url.location.empty()) {
    throw UsageError("rocksdb:// needs a directory: rocksdb:///absolute/path or rocksdb://relative/path");
  }
  return Target{.dir = std::filesystem::path(url.location), .spelled = std::string(text)};
}

ReadView::ReadView(const Target& target, const Output& out, LiveView live_view,
                   LockHolder holder) {
  require_cache(target);
  const LockState lock = holder == LockHolder::us ? LockState{} : probe_lock(target.dir);
  live_ = lock.locked;
  internal::OpenRequest request{.dir = target.dir, .options = quiet_options()};
  if (lock.locked && live_view == LiveView::follow) {
    std::string pattern = (std::filesystem::temp_directory_path() / "cache-inspect-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw OpenError(fmt::format("cannot create a scratch directory for a live view: {}",
                                  std::strerror(errno)));
    }
    scratch_ = pattern;
    request.mode = internal::OpenMode::secondary;
    request.secondary_dir = scratch_;
  } else {
    request.mode = internal::OpenMode::read_only;
  }
  try {
    db_ = std::make_unique<internal::Database>(request);
    db_->catch_up();  // a no-op unless secondary
  } catch (const CacheError& e) {
    db_.reset();
    std::error_code ignored;
    if (!scratch_.empty()) std::filesystem::remove_all(scratch_, ignored);
    throw OpenError(fmt::format("cannot open cache {}: {}", target.spelled, e.what()));
  }
  if (lock.locked) out.note("cache is in use by another process; showing a live read-only view");
}

ReadView::~ReadView() {
  db_.reset();
  if (!scratch_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(scratch_, ignored);
  }
}

std::unique_ptr<RocksDBCacheAdapter> open_adapter(const Target& target, std::string_view what,
                                                  bool create, std::shared_ptr<const Clock> clock) {
  if (!create) require_cache(target);
  if (const LockState lock = probe_lock(target.dir); lock.locked) {
    throw OpenError(locked_message(target, what, lock));
  }
  try {
    RocksDBOptions options = quiet_options();
    options.clock = std::move(clock);
    return std::make_unique<RocksDBCacheAdapter>(target.dir, std::move(options));
  } catch (const internal::InUseError&) {
    throw OpenError(locked_message(target, what, probe_lock(target.dir)));
  } catch (const CacheError& e) {
    throw OpenError(fmt::format("cannot open cache {}: {}", target.spelled, e.what()));
  }
}

std::unique_ptr<internal::Database> open_database(const Target& target, std::string_view what) {
  require_cache(target);
  if (const LockState lock = probe_lock(target.dir); lock.locked) {
    throw OpenError(locked_message(target, what, lock));
  }
  try {
    return std::make_unique<internal::Database>(
        internal::OpenRequest{.dir = target.dir, .options = quiet_options()});
  } catch (const internal::InUseError&) {
    throw OpenError(locked_message(target, what, probe_lock(target.dir)));
  } catch (const CacheError& e) {
    throw OpenError(fmt::format("cannot open cache {}: {}", target.spelled, e.what()));
  }
}

std::uint64_t disk_size(const std::filesystem::path& dir) {
  std::uint64_t total = 0;
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    std::error_code size_error;
    if (it->is_regular_file(size_error)) {
      const auto size = it->file_size(size_error);
      if (!size_error) total += size;  // a file a live writer just removed counts as nothing
    }
  }
  return total;
}

}  // namespace portico::cache::inspect
