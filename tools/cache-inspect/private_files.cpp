#include "private_files.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>  // mkostemp, mkdtemp
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <fmt/std.h>

#include <portico/cache/errors.hpp>

#include "cli.hpp"

namespace portico::cache::inspect {

namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(std::string_view what, const fs::path& path, int error) {
  throw IoError(fmt::format("{} {}: {}", what, path, std::strerror(error)));
}

fs::path directory_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

// A template for mkstemp/mkdtemp next to `name`: hidden, and telling what it belongs to.
std::string temp_template(const fs::path& parent, const std::string& name, std::string_view kind) {
  return (parent / fmt::format(".{}.{}-XXXXXX", name, kind)).string();
}

}  // namespace

// --- ReplacingFile -------------------------------------------------------------------------

ReplacingFile::ReplacingFile(fs::path destination) : destination_(std::move(destination)) {
  std::string name = temp_template(directory_of(destination_), destination_.filename().string(),
                                   "partial");
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);  // O_CREAT | O_EXCL, mode 0600
  if (fd < 0) {
    throw UsageError(fmt::format("cannot write {}: {}", destination_, std::strerror(errno)));
  }
  temp_ = name;
  stream_ = ::fdopen(fd, "wb");
  if (stream_ == nullptr) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp_.c_str());
    throw UsageError(fmt::format("cannot write {}: {}", destination_, std::strerror(error)));
  }
}

ReplacingFile::~ReplacingFile() {
  if (stream_ != nullptr) std::fclose(stream_);
  if (!temp_.empty()) ::unlink(temp_.c_str());
}

void ReplacingFile::commit() {
  std::FILE* stream = std::exchange(stream_, nullptr);
  int error = 0;
  if (std::fflush(stream) != 0 || std::ferror(stream) != 0) {
    error = errno != 0 ? errno : EIO;
  } else if (::fsync(::fileno(stream)) != 0) {
    error = errno;
  }
  if (std::fclose(stream) != 0 && error == 0) error = errno;
  if (error != 0) fail("writing", destination_, error);
  if (std::rename(temp_.c_str(), destination_.c_str()) != 0) fail("writing", destination_, errno);
  temp_.clear();
  sync_directory(directory_of(destination_));
}

// --- directories ---------------------------------------------------------------------------

UmaskScope::UmaskScope(mode_t mask) : previous_(::umask(mask)) {}
UmaskScope::~UmaskScope() { ::umask(previous_); }

void create_private_directories(const fs::path& dir) {
  const UmaskScope umask(077);  // mkdir's 0700 stays exactly 0700
  fs::path partial;
  for (const fs::path& part : dir) {
    partial /= part;
    if (part.empty() || part == "/") continue;
    if (::mkdir(partial.c_str(), 0700) == 0) continue;
    const int error = errno;
    struct stat status {};
    if (error != EEXIST || ::stat(partial.c_str(), &status) != 0 || !S_ISDIR(status.st_mode)) {
      fail("cannot create the directory", partial, error == EEXIST ? ENOTDIR : error);
    }
  }
}

StagingDirectory::StagingDirectory(const fs::path& parent, const std::string& name) {
  std::string pattern = temp_template(parent, name, "staging");
  if (::mkdtemp(pattern.data()) == nullptr) fail("cannot create a directory in", parent, errno);
  path_ = pattern;
}

StagingDirectory::~StagingDirectory() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);  // never follows symbolic links
}

void make_tree_private(const fs::path& dir) {
  const auto make_private = [](const fs::path& path, const fs::file_status& status) {
    mode_t mode = 0;
    if (fs::is_directory(status)) {
      mode = 0700;
    } else if (fs::is_regular_file(status)) {
      mode = 0600;
    } else {
      return;  // a symbolic link or anything else: nothing to follow or change
    }
    if (::chmod(path.c_str(), mode) != 0) fail("cannot make private", path, errno);
  };
  make_private(dir, fs::symlink_status(dir));
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    make_private(it->path(), it->symlink_status());
  }
}

void rename_no_replace(const fs::path& from, const fs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return;
  int error = errno;
  if (error == EINVAL || error == ENOSYS) {
    // A filesystem without RENAME_NOREPLACE: check, then rename. rename(2) of a directory
    // still refuses anything at `to` but an empty directory.
    struct stat status {};
    if (::lstat(to.c_str(), &status) == 0) {
      error = EEXIST;
    } else if (::rename(from.c_str(), to.c_str()) == 0) {
      return;
    } else {
      error = errno;
    }
  }
  if (error == EEXIST || error == ENOTEMPTY) {
    throw UsageError(fmt::format("{} exists", to));
  }
  fail("cannot move into place", to, error);
}

void sync_directory(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) fail("cannot open the directory", dir, errno);
  const bool synced = ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!synced) fail("cannot sync the directory", dir, error);
}

}  // namespace portico::cache::inspect
