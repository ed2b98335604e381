// The cache directory on disk: created private, checked to be a cache and ours, and owned by
// one open read-write database at a time.
//
// Ownership is asked of the lock itself, never guessed from an error text: RocksDB holds the
// directory's LOCK file with a POSIX record lock, which F_GETLK reports for other processes;
// within this process a registry of the directories open read-write answers (POSIX record
// locks cannot tell one of a process's own opens from another).
//
// Thread-safety: every function may be called from any thread; DirectoryClaim's registry is
// guarded by a mutex.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <portico/cache/errors.hpp>

namespace portico::cache::internal {

// The directory is open read-write by another cache (this process or another).
class InUseError : public CacheError {
 public:
  using CacheError::CacheError;
};

struct LockState {
  bool locked = false;
  std::optional<long> holder_pid{};  // when another process holds it and says which
};

std::filesystem::path lock_file(const std::filesystem::path& dir);

// Asks, without taking it, whether another process holds the directory's LOCK file.
// Never call it while this process holds the lock: POSIX drops a process's record locks on a
// file when it closes any descriptor of that file.
LockState probe_lock(const std::filesystem::path& dir);

// A claim on a directory for one read-write open within this process; released on
// destruction. Throws InUseError when another open of this process holds it.
class DirectoryClaim {
 public:
  DirectoryClaim() = default;
  explicit DirectoryClaim(const std::filesystem::path& dir);
  ~DirectoryClaim();
  DirectoryClaim(DirectoryClaim&& other) noexcept;
  DirectoryClaim& operator=(DirectoryClaim&& other) noexcept;
  DirectoryClaim(const DirectoryClaim&) = delete;
  DirectoryClaim& operator=(const DirectoryClaim&) = delete;

 private:
  std::string key_;  // the canonical path; empty when nothing is claimed
};

// Creates `dir` and its missing parents with mode 0700 (whatever the umask).
void create_private_directories(const std::filesystem::path& dir);

// Refuses (CacheError) a cache directory that is a symlink, is not owned by the effective
// user, or that group or others may write: another user could plant files or symlinks in it.
void require_private_directory(const std::filesystem::path& dir);

// The InUseError for `dir`, naming its lock file and, when known, the process holding it.
InUseError in_use_error(const std::filesystem::path& dir, const LockState& lock);

}  // namespace portico::cache::internal
