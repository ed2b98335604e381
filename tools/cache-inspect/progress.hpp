// Progress on stderr for long operations (verify, export, import, compact): a bar when the
// total is known, a counter or a spinner when it is not. Shown only when stderr is a
// terminal; silent when it is piped or redirected, so scripts and logs stay clean.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>

namespace portico::cache::inspect {

// True when stderr is a terminal.
bool progress_wanted();

class ProgressBar {
 public:
  // `total` may be an estimate (the bar stops at 100%) or unknown (a plain counter).
  // `unit` names what is counted ("entries", "keys", "bytes").
  ProgressBar(std::string label, std::optional<std::uint64_t> total, std::string unit,
              bool enabled = progress_wanted());
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // Redraws at most ten times a second.
  void update(std::uint64_t done);
  // Clears the line.
  void finish();

 private:
  void draw(std::uint64_t done);

  std::string label_;
  std::optional<std::uint64_t> total_;
  std::string unit_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

// For an operation that reports no progress of its own: a spinner with the elapsed time,
// redrawn by a thread until the object is destroyed or finish() is called.
class Spinner {
 public:
  explicit Spinner(std::string label, bool enabled = progress_wanted());
  ~Spinner();
  Spinner(const Spinner&) = delete;
  Spinner& operator=(const Spinner&) = delete;

  void finish();

 private:
  std::string label_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace portico::cache::inspect
