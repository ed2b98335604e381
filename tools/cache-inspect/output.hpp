// Output of cache-inspect: text for people (fmt, aligned columns, colour only on a terminal
// and never with NO_COLOR), JSON for programs (always valid; one object per line for
// streaming commands), messages on stderr. Also the formatting of times, sizes and raw bytes
// that every command shares.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/color.h>
#include <nlohmann/json.hpp>

#include <portico/cache/time.hpp>

namespace portico::cache::inspect {

using Json = nlohmann::ordered_json;

// Colour for one stream: on only when the stream is a terminal and NO_COLOR is unset or empty.
class Style {
 public:
  explicit Style(bool enabled = false) : enabled_(enabled) {}
  static Style for_stream(std::FILE* stream);

  bool enabled() const { return enabled_; }
  std::string paint(std::string_view text, fmt::text_style style) const;
  std::string bold(std::string_view text) const { return paint(text, fmt::emphasis::bold); }
  std::string good(std::string_view text) const { return paint(text, fmt::fg(fmt::terminal_color::green)); }
  std::string warn(std::string_view text) const { return paint(text, fmt::fg(fmt::terminal_color::yellow)); }
  std::string bad(std::string_view text) const { return paint(text, fmt::fg(fmt::terminal_color::red)); }
  std::string dim(std::string_view text) const { return paint(text, fmt::emphasis::faint); }

 private:
  bool enabled_;
};

class Output {
 public:
  explicit Output(bool json);

  bool json() const { return json_; }
  const Style& style() const { return out_style_; }      // stdout
  const Style& err_style() const { return err_style_; }  // stderr

  // One JSON document and a newline on stdout (invalid UTF-8 in strings becomes U+FFFD).
  void json_line(const Json& document) const;
  // A line on stdout.
  void line(std::string_view text) const;
  // "cache-inspect: <text>" on stderr.
  void note(std::string_view text) const;
  void warning(std::string_view text) const;
  void error(std::string_view text) const;

 private:
  bool json_;
  Style out_style_;
  Style err_style_;
};

// Text with aligned columns, streamed: rows are buffered in blocks, each block's widths fit
// its rows, the header is printed once. Memory stays bounded whatever the row count.
class Table {
 public:
  struct Cell {
    std::string text;
    std::optional<fmt::text_style> style{};
  };

  Table(const Output& out, std::vector<std::string> header, std::size_t block_rows = 256);
  ~Table();
  Table(const Table&) = delete;
  Table& operator=(const Table&) = delete;

  void add(std::vector<Cell> row);
  void flush();

 private:
  const Output& out_;
  std::vector<std::string> header_;
  std::size_t block_rows_;
  bool header_printed_ = false;
  std::vector<std::vector<Cell>> rows_;
};

// "2025-01-02T03:04:05.123456789Z" (nanoseconds trimmed of trailing zeros) or, with
// seconds_only, "2025-01-02 03:04:05Z". UTC.
std::string format_time(TimePoint t, bool seconds_only = false);
// Parses what format_time(t) writes (RFC 3339 in UTC, 'Z' or "+00:00", up to nanoseconds).
std::optional<TimePoint> parse_time(std::string_view text);
// A JSON time: the RFC 3339 string, or null.
Json json_time(const std::optional<TimePoint>& t);
// "in 5m", "3h ago": a short distance from `now` for people.
std::string relative_time(TimePoint t, TimePoint now);
// "1.5 KiB", "12 B".
std::string human_size(std::uint64_t bytes);
// Bytes for a terminal: printable ASCII and valid UTF-8 as they are, everything else as \xNN.
std::string printable(std::string_view bytes);
bool is_valid_utf8(std::string_view bytes);

}  // namespace portico::cache::inspect
