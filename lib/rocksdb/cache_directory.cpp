#include "rocksdb/cache_directory.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <fmt/std.h>

namespace portico::cache::internal {

namespace {

std::mutex claims_mutex;
std::set<std::string>& claimed_directories() {
  static std::set<std::string> claimed;  // guarded by claims_mutex
  return claimed;
}

std::string claim_key(const std::filesystem::path& dir) {
  std::error_code error;
  const std::filesystem::path canonical = std::filesystem::weakly_canonical(dir, error);
  return (error ? std::filesystem::absolute(dir) : canonical).lexically_normal().string();
}

}  // namespace

std::filesystem::path lock_file(const std::filesystem::path& dir) { return dir / "LOCK"; }

LockState probe_lock(const std::filesystem::path& dir) {
  const std::filesystem::path path = lock_file(dir);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return {};
  // F_GETLK reports a conflicting holder without taking anything.
  struct flock query {};
  query.l_type = F_WRLCK;
  query.l_whence = SEEK_SET;
  query.l_start = 0;
  query.l_len = 0;
  LockState state;
  if (::fcntl(fd, F_GETLK, &query) == 0 && query.l_type != F_UNLCK) {
    state.locked = true;
    if (query.l_pid > 0) state.holder_pid = query.l_pid;
  }
  ::close(fd);
  return state;
}

InUseError in_use_error(const std::filesystem::path& dir, const LockState& lock) {
  const std::string holder = lock.holder_pid
                                 ? fmt::format("process {} holds its lock {}", *lock.holder_pid,
                                               lock_file(dir))
                                 : fmt::format("its lock {} is held", lock_file(dir));
  return InUseError(fmt::format("cache directory {} is in use by another open cache ({})", dir,
                                holder));
}

DirectoryClaim::DirectoryClaim(const std::filesystem::path& dir) : key_(claim_key(dir)) {
  std::lock_guard lock(claims_mutex);
  if (!claimed_directories().insert(key_).second) {
    key_.clear();
    throw InUseError(fmt::format(
        "cache directory {} is in use by another open cache in this process", dir));
  }
}

DirectoryClaim::~DirectoryClaim() {
  if (key_.empty()) return;
  std::lock_guard lock(claims_mutex);
  claimed_directories().erase(key_);
}

DirectoryClaim::DirectoryClaim(DirectoryClaim&& other) noexcept : key_(std::move(other.key_)) {
  other.key_.clear();
}

DirectoryClaim& DirectoryClaim::operator=(DirectoryClaim&& other) noexcept {
  if (this != &other) {
    DirectoryClaim released(std::move(*this));
    key_ = std::move(other.key_);
    other.key_.clear();
  }
  return *this;
}

void require_private_directory(const std::filesystem::path& dir) {
  struct stat info {};
  if (::lstat(dir.c_str(), &info) != 0) {
    throw IoError(fmt::format("cannot inspect cache directory {}: {}", dir, std::strerror(errno)));
  }
  if (S_ISLNK(info.st_mode)) {
    throw CacheError(fmt::format(
        "refusing cache directory {}: it is a symbolic link; give the real directory", dir));
  }
  if (info.st_uid != ::geteuid()) {
    throw CacheError(fmt::format(
        "refusing cache directory {}: it belongs to user {}, not to this user ({})", dir,
        info.st_uid, ::geteuid()));
  }
  if ((info.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    throw CacheError(fmt::format(
        "refusing cache directory {}: group or others may write it (mode {:o}); "
        "chmod 700 it",
        dir, info.st_mode & 07777));
  }
}

void create_private_directories(const std::filesystem::path& dir) {
  std::filesystem::path partial;
  for (const auto& part : dir) {
    partial /= part;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      throw IoError(fmt::format("cannot create cache directory {}: {}", partial,
                                std::strerror(errno)));
    }
  }
  if (!std::filesystem::is_directory(dir)) {
    throw CacheError(fmt::format("{} is not a directory", dir));
  }
}

}  // namespace portico::cache::internal
