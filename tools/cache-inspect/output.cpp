#include "output.hpp"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdlib>

#include <fmt/format.h>

namespace portico::cache::inspect {

namespace {

// Display width of UTF-8 text: one column per code point (good enough for keys and tags).
std::size_t display_width(std::string_view text) {
  std::size_t width = 0;
  for (unsigned char c : text) {
    if ((c & 0xc0) != 0x80) ++width;
  }
  return width;
}

// Length of the valid UTF-8 sequence starting at bytes[i], 0 if there is none.
std::size_t utf8_sequence(std::string_view bytes, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(bytes[k]); };
  const unsigned char c = byte(i);
  std::size_t length = 0;
  std::uint32_t code = 0;
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0) {
    length = 2;
    code = c & 0x1f;
  } else if ((c & 0xf0) == 0xe0) {
    length = 3;
    code = c & 0x0f;
  } else if ((c & 0xf8) == 0xf0) {
    length = 4;
    code = c & 0x07;
  } else {
    return 0;
  }
  if (i + length > bytes.size()) return 0;
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    code = (code << 6) | (byte(i + k) & 0x3f);
  }
  // Overlong forms, surrogates and values past U+10FFFF are not valid UTF-8.
  static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return 0;
  return length;
}

bool parse_digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

Style Style::for_stream(std::FILE* stream) {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color != nullptr && *no_color != '\0') return Style(false);
  return Style(::isatty(::fileno(stream)) == 1);
}

std::string Style::paint(std::string_view text, fmt::text_style style) const {
  if (!enabled_) return std::string(text);
  return fmt::format(style, "{}", text);
}

Output::Output(bool json)
    : json_(json), out_style_(Style::for_stream(stdout)), err_style_(Style::for_stream(stderr)) {}

void Output::json_line(const Json& document) const {
  const std::string text = document.dump(-1, ' ', false, Json::error_handler_t::replace);
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void Output::line(std::string_view text) const {
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}

void Output::note(std::string_view text) const {
  std::fflush(stdout);
  fmt::print(stderr, "cache-inspect: {}\n", text);
}

void Output::warning(std::string_view text) const {
  std::fflush(stdout);
  fmt::print(stderr, "cache-inspect: {} {}\n", err_style_.warn("warning:"), text);
}

void Output::error(std::string_view text) const {
  std::fflush(stdout);
  fmt::print(stderr, "cache-inspect: {} {}\n", err_style_.bad("error:"), text);
}

Table::Table(const Output& out, std::vector<std::string> header, std::size_t block_rows)
    : out_(out), header_(std::move(header)), block_rows_(block_rows) {}

Table::~Table() { flush(); }

void Table::add(std::vector<Cell> row) {
  rows_.push_back(std::move(row));
  if (rows_.size() >= block_rows_) flush();
}

void Table::flush() {
  if (rows_.empty() && header_printed_) return;
  std::vector<std::size_t> widths(header_.size(), 0);
  if (!header_printed_) {
    for (std::size_t i = 0; i < header_.size(); ++i) widths[i] = display_width(header_[i]);
  }
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], display_width(row[i].text));
    }
  }
  const Style& style = out_.style();
  std::string text;
  auto append_row = [&](const std::vector<Cell>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      const bool last = i + 1 == row.size();
      std::string cell = row[i].text;
      if (!last) cell.append(widths[i] - std::min(widths[i], display_width(cell)), ' ');
      line += row[i].style ? style.paint(cell, *row[i].style) : cell;
      if (!last) line += "  ";
    }
    text += line;
    text += '\n';
  };
  if (!header_printed_) {
    std::vector<Cell> header;
    for (const std::string& name : header_) {
      header.push_back(Cell{.text = name, .style = fmt::emphasis::bold});
    }
    append_row(header);
    header_printed_ = true;
  }
  for (const auto& row : rows_) append_row(row);
  rows_.clear();
  std::fwrite(text.data(), 1, text.size(), stdout);
}

std::string format_time(TimePoint t, bool seconds_only) {
  using namespace std::chrono;
  const auto secs = floor<seconds>(t);
  const auto days = floor<std::chrono::days>(secs);
  const year_month_day ymd{days};
  const hh_mm_ss hms{secs - days};
  const auto date = fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                                static_cast<unsigned>(ymd.month()),
                                static_cast<unsigned>(ymd.day()));
  const auto clock = fmt::format("{:02}:{:02}:{:02}", hms.hours().count(), hms.minutes().count(),
                                 hms.seconds().count());
  if (seconds_only) return fmt::format("{} {}Z", date, clock);
  const auto nanos = duration_cast<nanoseconds>(t - secs).count();
  if (nanos == 0) return fmt::format("{}T{}Z", date, clock);
  std::string fraction = fmt::format("{:09}", nanos);
  while (fraction.back() == '0') fraction.pop_back();
  return fmt::format("{}T{}.{}Z", date, clock, fraction);
}

std::optional<TimePoint> parse_time(std::string_view text) {
  using namespace std::chrono;
  int year = 0;
  int month = 0;
  int day = 0;
  int hour = 0;
  int minute = 0;
  int second = 0;
  if (!parse_digits(text, 0, 4, year) || text.size() < 20 || text[4] != '-' ||
      !parse_digits(text, 5, 2, month) || text[7] != '-' || !parse_digits(text, 8, 2, day) ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !parse_digits(text, 11, 2, hour) || text[13] != ':' || !parse_digits(text, 14, 2, minute) ||
      text[16] != ':' || !parse_digits(text, 17, 2, second)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  std::int64_t nanos = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits == 9) return std::nullopt;  // finer than the stored nanoseconds
      nanos = nanos * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 9; ++digits) nanos *= 10;
  }
  const std::string_view zone = text.substr(pos);
  if (zone != "Z" && zone != "z" && zone != "+00:00") return std::nullopt;
  const year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                           std::chrono::day(static_cast<unsigned>(day))};
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
  const std::int64_t secs = sys_days(ymd).time_since_epoch().count() * 86400LL + hour * 3600LL +
                            minute * 60LL + second;
  std::int64_t total = 0;
  if (__builtin_mul_overflow(secs, std::int64_t{1'000'000'000}, &total) ||
      __builtin_add_overflow(total, nanos, &total)) {
    return std::nullopt;  // outside what the cache can store
  }
  return TimePoint(duration_cast<TimePoint::duration>(nanoseconds(total)));
}

Json json_time(const std::optional<TimePoint>& t) {
  if (!t) return nullptr;
  return format_time(*t);
}

std::string relative_time(TimePoint t, TimePoint now) {
  using namespace std::chrono;
  const bool future = t >= now;
  const auto distance = duration_cast<seconds>(future ? t - now : now - t).count();
  std::string amount;
  if (distance < 60) {
    amount = fmt::format("{}s", distance);
  } else if (distance < 3600) {
    amount = fmt::format("{}m", distance / 60);
  } else if (distance < 86400) {
    amount = fmt::format("{}h", distance / 3600);
  } else {
    amount = fmt::format("{}d", distance / 86400);
  }
  return future ? "in " + amount : amount + " ago";
}

std::string human_size(std::uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return fmt::format("{} B", bytes);
  double value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(kUnits)) {
    value /= 1024;
    ++unit;
  }
  return fmt::format("{:.1f} {}", value, kUnits[unit]);
}

std::string printable(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size());
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c == '\\') {
      out += "\\\\";
      ++i;
      continue;
    }
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    const std::size_t length = utf8_sequence(bytes, i);
    if (length == 0) {
      out += fmt::format("\\x{:02x}", c);
      ++i;
      continue;
    }
    out.append(bytes.substr(i, length));
    i += length;
  }
  return out;
}

bool is_valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const std::size_t length = utf8_sequence(bytes, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

}  // namespace portico::cache::inspect
