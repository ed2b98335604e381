// A fresh directory under the system temp dir, removed with everything in it at scope end.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace portico::cache::testing {

class TempDir {
 public:
  explicit TempDir(const std::string& label = "portico-test") {
    std::random_device seed;
    path_ = std::filesystem::temp_directory_path() /
            (label + "-" + std::to_string(seed()) + std::to_string(seed()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

}  // namespace portico::cache::testing
