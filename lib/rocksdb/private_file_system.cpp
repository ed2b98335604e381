#include "rocksdb/private_file_system.hpp"

#include <sys/stat.h>

#include <filesystem>

namespace portico::cache::internal {

namespace {

// After a successful creation only; a failure to tighten is reported as the I/O error it is.
rocksdb::IOStatus restrict(rocksdb::IOStatus status, const std::string& name, mode_t mode) {
  if (!status.ok()) return status;
  if (::chmod(name.c_str(), mode) != 0) {
    return rocksdb::IOStatus::IOError("cannot make cache file private", name);
  }
  return status;
}

constexpr mode_t kFileMode = 0600;
constexpr mode_t kDirectoryMode = 0700;

}  // namespace

rocksdb::IOStatus PrivateFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  return restrict(target()->NewWritableFile(name, options, result, dbg), name, kFileMode);
}

rocksdb::IOStatus PrivateFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  return restrict(target()->ReopenWritableFile(name, options, result, dbg), name, kFileMode);
}

rocksdb::IOStatus PrivateFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  return restrict(target()->ReuseWritableFile(name, old_name, options, result, dbg), name,
                  kFileMode);
}

rocksdb::IOStatus PrivateFileSystem::NewRandomRWFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSRandomRWFile>* result, rocksdb::IODebugContext* dbg) {
  return restrict(target()->NewRandomRWFile(name, options, result, dbg), name, kFileMode);
}

rocksdb::IOStatus PrivateFileSystem::LockFile(const std::string& name,
                                              const rocksdb::IOOptions& options,
                                              rocksdb::FileLock** lock,
                                              rocksdb::IODebugContext* dbg) {
  return restrict(target()->LockFile(name, options, lock, dbg), name, kFileMode);
}

rocksdb::IOStatus PrivateFileSystem::NewLogger(const std::string& name,
                                               const rocksdb::IOOptions& options,
                                               std::shared_ptr<rocksdb::Logger>* result,
                                               rocksdb::IODebugContext* dbg) {
  return restrict(target()->NewLogger(name, options, result, dbg), name, kFileMode);
}

rocksdb::IOStatus PrivateFileSystem::CreateDir(const std::string& name,
                                               const rocksdb::IOOptions& options,
                                               rocksdb::IODebugContext* dbg) {
  return restrict(target()->CreateDir(name, options, dbg), name, kDirectoryMode);
}

rocksdb::IOStatus PrivateFileSystem::CreateDirIfMissing(const std::string& name,
                                                        const rocksdb::IOOptions& options,
                                                        rocksdb::IODebugContext* dbg) {
  return restrict(target()->CreateDirIfMissing(name, options, dbg), name, kDirectoryMode);
}

void make_files_private(const std::string& dir) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    std::error_code kind_error;
    if (entry.is_symlink(kind_error)) continue;  // never follow what someone planted
    const mode_t mode = entry.is_directory(kind_error) ? kDirectoryMode : kFileMode;
    ::chmod(entry.path().c_str(), mode);
  }
}

}  // namespace portico::cache::internal
