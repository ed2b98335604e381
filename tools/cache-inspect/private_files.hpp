// Files and directories cache-inspect writes: private (0600 files, 0700 directories) and
// never reached through a symbolic link someone planted, whatever the umask and whoever else
// can write to the destination's directory.
//
// Thread-safety: none needed; cache-inspect runs each command on one thread.
#pragma once

#include <sys/types.h>

#include <cstdio>
#include <filesystem>
#include <string>

namespace portico::cache::inspect {

// A file written under a fresh temporary name in the destination's directory (mkstemp:
// created exclusively, mode 0600, so no planted file or link is ever opened) and renamed over
// the destination by commit(), so the destination is either untouched or complete. Renaming
// replaces a symbolic link at the destination itself, never the file it points to.
class ReplacingFile {
 public:
  // Throws UsageError when the temporary file cannot be created.
  explicit ReplacingFile(std::filesystem::path destination);
  // Removes the temporary file unless commit() succeeded.
  ~ReplacingFile();
  ReplacingFile(const ReplacingFile&) = delete;
  ReplacingFile& operator=(const ReplacingFile&) = delete;

  std::FILE* stream() const { return stream_; }
  // Flushes, fsyncs, renames over the destination and fsyncs its directory. Throws IoError.
  void commit();

 private:
  std::filesystem::path destination_;
  std::filesystem::path temp_;
  std::FILE* stream_ = nullptr;
};

// Sets the process umask for its lifetime and restores the previous one.
class UmaskScope {
 public:
  explicit UmaskScope(mode_t mask);
  ~UmaskScope();
  UmaskScope(const UmaskScope&) = delete;
  UmaskScope& operator=(const UmaskScope&) = delete;

 private:
  mode_t previous_;
};

// Creates the missing directories of `dir`, each 0700 (whatever the umask). Throws IoError.
void create_private_directories(const std::filesystem::path& dir);

// A directory made with mkdtemp next to where a result will go (0700, a name nobody can
// predict), removed with everything in it unless its content was moved out.
class StagingDirectory {
 public:
  // Throws IoError.
  StagingDirectory(const std::filesystem::path& parent, const std::string& name);
  ~StagingDirectory();
  StagingDirectory(const StagingDirectory&) = delete;
  StagingDirectory& operator=(const StagingDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Makes every file below `dir` 0600 and every directory 0700 (`dir` included), without
// following symbolic links. Throws IoError.
void make_tree_private(const std::filesystem::path& dir);

// Renames `from` to `to` only if nothing exists at `to` (not even a dangling symbolic link),
// atomically where the filesystem supports it. Throws UsageError ("... exists") when `to`
// exists, IoError otherwise.
void rename_no_replace(const std::filesystem::path& from, const std::filesystem::path& to);

// fsync of a directory, so that a rename in it survives a crash. Throws IoError.
void sync_directory(const std::filesystem::path& dir);

}  // namespace portico::cache::inspect
