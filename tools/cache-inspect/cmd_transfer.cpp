// export FILE / import FILE: entries as JSON Lines (see transfer_format.hpp).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include <portico/cache/errors.hpp>

#include "cli.hpp"
#include "open.hpp"
#include "private_files.hpp"
#include "progress.hpp"
#include "selection.hpp"
#include "transfer_format.hpp"

namespace portico::cache::inspect {

namespace {

constexpr std::size_t kImportChunk = 512;

// --- export --------------------------------------------------------------------------------

struct ExportOptions {
  std::string file;
  std::string format = "json";
  std::string ns;
  std::string tag;
  std::string pattern;
};

// Lines go to a private temporary file renamed over FILE at the end (see ReplacingFile), so
// a failed export never leaves a truncated file that looks complete. "-" is stdout.
class ExportSink {
 public:
  explicit ExportSink(const std::string& file) {
    if (file != "-") temp_.emplace(file);
  }

  void write_line(const std::string& text) {
    std::FILE* stream = temp_ ? temp_->stream() : stdout;
    std::fwrite(text.data(), 1, text.size(), stream);
    std::fputc('\n', stream);
  }

  void commit() {
    if (temp_) {
      temp_->commit();
    } else {
      std::fflush(stdout);
    }
  }

  bool to_stdout() const { return !temp_; }

 private:
  std::optional<ReplacingFile> temp_;
};

int run_export(Context& ctx, const ExportOptions& options, const CLI::App& command) {
  ValueFormat format = ValueFormat::json;
  if (options.format == "msgpack") {
    format = ValueFormat::msgpack;
  } else if (options.format != "json") {
    throw UsageError(fmt::format("--format must be json or msgpack, not '{}'", options.format));
  }
  Selection selection;
  if (command.count("--ns") > 0) selection.ns = options.ns;
  if (command.count("--tag") > 0) selection.tag = options.tag;
  if (command.count("--pattern") > 0) selection.pattern = KeyPattern::glob(options.pattern);

  ReadView view(parse_target(ctx.globals.target), ctx.out);
  ExportSink sink(options.file);
  const std::int64_t now = internal::to_nanos(std::chrono::system_clock::now());
  const auto total = view.db().read_counter(internal::kMetaEntryCount);
  ProgressBar bar("exporting", total > 0 ? std::optional<std::uint64_t>(total) : std::nullopt,
                  "entries");
  std::uint64_t exported = 0;
  std::uint64_t as_bytes = 0;
  select_entries(view.db(), selection, now, [&](internal::StoredEntry&& entry) {
    const ExportedLine line = export_line_text(entry, format);
    if (line.value_as_bytes) ++as_bytes;
    sink.write_line(line.text);
    bar.update(++exported);
    return true;
  });
  bar.finish();
  sink.commit();

  if (ctx.globals.json && !sink.to_stdout()) {
    ctx.out.json_line(Json{{"exported", exported}, {"file", options.file}, {"base64_values", as_bytes}});
  } else {
    const std::string summary = fmt::format(
        "exported {} entries to {} ({} values as base64 msgpack)", exported,
        sink.to_stdout() ? "stdout" : options.file, as_bytes);
    sink.to_stdout() ? ctx.out.note(summary) : ctx.out.line(summary);
  }
  return kExitOk;
}

// --- import --------------------------------------------------------------------------------

// Reads lines from FILE or stdin ("-"), numbering them and tracking bytes read. A line longer
// than max_line bytes is refused as soon as it is that long, so a file without newlines
// cannot make the reader hold it whole.
class LineSource {
 public:
  LineSource(const std::string& file, std::size_t max_line) : name_(file), max_line_(max_line) {
    if (file == "-") {
      in_ = &std::cin;
      name_ = "stdin";
      return;
    }
    std::error_code error;
    if (!std::filesystem::exists(file, error)) {
      throw UsageError(fmt::format("cannot read {}: no such file", file));
    }
    if (std::filesystem::is_directory(file, error)) {
      throw UsageError(fmt::format("cannot read {}: it is a directory", file));
    }
    // A regular file can be read twice (checked whole first); a pipe is read once.
    if (std::filesystem::is_regular_file(file, error)) size_ = std::filesystem::file_size(file, error);
    file_.open(file, std::ios::binary);
    if (!file_) throw UsageError(fmt::format("cannot read {}: {}", file, std::strerror(errno)));
    in_ = &file_;
  }

  // Throws std::invalid_argument for a line longer than max_line; number() is that line's.
  bool next(std::string& line) {
    while (read_line(line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.find_first_not_of(" \t") != std::string::npos) return true;
    }
    return false;
  }

  bool rewindable() const { return size_.has_value(); }
  void rewind() {
    file_.clear();
    file_.seekg(0);
    number_ = 0;
    bytes_ = 0;
  }
  std::size_t number() const { return number_; }
  std::uint64_t bytes() const { return bytes_; }
  std::optional<std::uint64_t> size() const { return size_; }
  const std::string& name() const { return name_; }

 private:
  bool read_line(std::string& line) {
    line.clear();
    std::streambuf& in = *in_->rdbuf();
    int c = in.sbumpc();
    if (c == std::char_traits<char>::eof()) return false;
    ++number_;
    for (; c != std::char_traits<char>::eof() && c != '\n'; c = in.sbumpc()) {
      if (line.size() == max_line_) {
        throw std::invalid_argument(fmt::format(
            "the line is longer than {} bytes (--max-line-bytes)", max_line_));
      }
      line.push_back(static_cast<char>(c));
    }
    bytes_ += line.size() + (c == '\n' ? 1 : 0);
    return true;
  }

  std::string name_;
  std::size_t max_line_;
  std::ifstream file_;
  std::istream* in_ = nullptr;
  std::size_t number_ = 0;
  std::uint64_t bytes_ = 0;
  std::optional<std::uint64_t> size_;
};

// What is wrong with the current line, where, and what was imported before it.
[[noreturn]] void refuse_line(const LineSource& source, std::string_view what,
                              std::uint64_t imported) {
  throw UsageError(fmt::format("{}:{}: {}{}", source.name(), source.number(), what,
                               imported > 0 ? fmt::format(" ({} entries before it were imported)", imported)
                                            : std::string(" (nothing was imported)")));
}

bool next_line(LineSource& source, std::string& line, std::uint64_t imported) {
  try {
    return source.next(line);
  } catch (const std::invalid_argument& e) {
    refuse_line(source, e.what(), imported);
  }
}

ImportedEntry parse_at(const LineSource& source, const std::string& line, std::uint64_t imported) {
  try {
    return parse_import_line(line);
  } catch (const std::exception& e) {
    refuse_line(source, e.what(), imported);
  }
}

struct ImportOptions {
  std::string file;
  std::size_t max_line_bytes = kMaxLineBytes;
};

int run_import(Context& ctx, const ImportOptions& options) {
  const Target target = parse_target(ctx.globals.target);
  if (options.max_line_bytes == 0) throw UsageError("--max-line-bytes must be positive");
  LineSource source(options.file, options.max_line_bytes);
  std::string line;
  if (source.rewindable()) {
    // A file is checked whole before anything is written: a bad line imports nothing.
    ProgressBar bar("checking", source.size(), "bytes");
    while (next_line(source, line, 0)) {
      parse_at(source, line, 0);
      bar.update(source.bytes());
    }
    bar.finish();
    source.rewind();
  }

  // The adapter's clock is pinned for each chunk, so a remaining ttl computed against it
  // reproduces the exported expiry (rounded up to the microsecond, the ttl's unit).
  const auto clock = std::make_shared<ManualClock>();
  const std::unique_ptr<RocksDBCacheAdapter> adapter =
      open_adapter(target, "import into the cache", /*create=*/true, clock);
  ProgressBar bar("importing", source.size(), source.size() ? "bytes" : "lines");
  std::uint64_t imported = 0;
  std::uint64_t skipped = 0;
  std::vector<CacheItem> chunk;
  TimePoint chunk_now{};
  const auto write_chunk = [&] {
    if (chunk.empty()) return;
    const std::size_t count = chunk.size();
    adapter->set_many(std::move(chunk));
    chunk.clear();
    imported += count;
  };
  while (next_line(source, line, imported)) {
    ImportedEntry entry = parse_at(source, line, imported);
    if (chunk.empty()) {
      // Whole microseconds, like a Ttl: an expiry in whole microseconds comes back exact.
      chunk_now = std::chrono::floor<Ttl>(std::chrono::system_clock::now());
      clock->set(chunk_now);
    }
    std::optional<Ttl> ttl;
    if (entry.expires_at) {
      if (*entry.expires_at <= chunk_now) {
        ++skipped;
        continue;
      }
      ttl = std::chrono::ceil<Ttl>(*entry.expires_at - chunk_now);
    }
    chunk.push_back(CacheItem{.key = std::move(entry.key), .value = std::move(entry.value), .ttl = ttl});
    if (chunk.size() == kImportChunk) write_chunk();
    bar.update(source.size() ? source.bytes() : source.number());
  }
  write_chunk();
  bar.finish();

  if (ctx.globals.json) {
    ctx.out.json_line(Json{{"imported", imported}, {"skipped_expired", skipped}});
  } else {
    ctx.out.line(fmt::format("imported {} entries from {} ({} expired ones skipped)", imported,
                             source.name(), skipped));
  }
  return kExitOk;
}

}  // namespace

void add_transfer_commands(CLI::App& app, std::vector<Command>& commands) {
  {
    auto options = std::make_shared<ExportOptions>();
    CLI::App* exp = app.add_subcommand(
        "export", "Write live entries to FILE as JSON Lines (values as JSON, or base64 msgpack "
                  "where JSON would not restore the same bytes)");
    exp->add_option("FILE", options->file, "The file to write, - for stdout")->required();
    exp->add_option("--format", options->format,
                    "json: values as JSON where lossless (default); msgpack: every value as base64 msgpack")
        ->check(CLI::IsMember({"json", "msgpack"}));
    exp->add_option("--ns", options->ns, "Only entries of this namespace");
    exp->add_option("--tag", options->tag, "Only entries carrying this tag");
    exp->add_option("--pattern", options->pattern, "Only entries whose full key matches this glob");
    commands.push_back(Command{exp, [options, exp](Context& ctx) { return run_export(ctx, *options, *exp); }});
  }
  {
    auto options = std::make_shared<ImportOptions>();
    CLI::App* imp = app.add_subcommand(
        "import", "Load entries from a JSON Lines FILE written by export (creates the cache if "
                  "needed; expired entries are skipped, the remaining time to live is kept)");
    imp->add_option("FILE", options->file, "The file to read, - for stdin")->required();
    imp->add_option("--max-line-bytes", options->max_line_bytes,
                    fmt::format("Refuse a line longer than this (default {}: the longest line "
                                "export writes)", kMaxLineBytes));
    commands.push_back(Command{imp, [options](Context& ctx) { return run_import(ctx, *options); }});
  }
}

}  // namespace portico::cache::inspect
