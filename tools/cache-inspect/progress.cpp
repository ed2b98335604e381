#include "progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>

namespace portico::cache::inspect {

namespace {

constexpr std::size_t kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

void clear_line() {
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
}

}  // namespace

bool progress_wanted() { return ::isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(std::string label, std::optional<std::uint64_t> total, std::string unit,
                         bool enabled)
    : label_(std::move(label)), total_(total), unit_(std::move(unit)), enabled_(enabled) {
  if (total_ && *total_ == 0) total_.reset();
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::update(std::uint64_t done) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  draw(done);
}

void ProgressBar::draw(std::uint64_t done) {
  std::string line;
  if (total_) {
    const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(*total_));
    const auto filled = static_cast<std::size_t>(fraction * kBarWidth);
    line = fmt::format("{} [{}{}] {:3.0f}% {} {}", label_, std::string(filled, '#'),
                       std::string(kBarWidth - filled, '.'), fraction * 100, done, unit_);
  } else {
    line = fmt::format("{} {} {}", label_, done, unit_);
  }
  fmt::print(stderr, "\r\033[K{}", line);
  std::fflush(stderr);
  drawn_ = true;
}

void ProgressBar::finish() {
  if (!enabled_ || !drawn_) return;
  clear_line();
  drawn_ = false;
}

Spinner::Spinner(std::string label, bool enabled) : label_(std::move(label)) {
  if (!enabled) return;
  thread_ = std::thread([this] {
    static constexpr const char kFrames[] = {'|', '/', '-', '\\'};
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t frame = 0; !stop_.load(); ++frame) {
      const auto elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start);
      fmt::print(stderr, "\r\033[K{} {} {:.0f}s", label_, kFrames[frame % 4], elapsed.count());
      std::fflush(stderr);
      for (int i = 0; i < 2 && !stop_.load(); ++i) std::this_thread::sleep_for(kRedrawInterval);
    }
    clear_line();
  });
}

Spinner::~Spinner() { finish(); }

void Spinner::finish() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

}  // namespace portico::cache::inspect
