// export FILE / import FILE: entries as JSON Lines (see transfer_format.hpp).
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include <portico/cache/errors.hpp>

#include "cli.hpp"
#include "open.hpp"
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

// Lines go to a temporary file renamed over FILE at the end, so a failed export never leaves
// a truncated file that looks complete. "-" is stdout.
class ExportSink {
 public:
  explicit ExportSink(const std::string& file) : file_(file) {
    if (file_ == "-") {
      stream_ = stdout;
      return;
    }
    temp_ = file_ + ".partial";
    stream_ = std::fopen(temp_.c_str(), "wb");
    if (stream_ == nullptr) {
      throw UsageError(fmt::format("cannot write {}: {}", temp_, std::strerror(errno)));
    }
  }
  ~ExportSink() {
    if (stream_ != nullptr && stream_ != stdout) {
      std::fclose(stream_);
      std::remove(temp_.c_str());
    }
  }
  ExportSink(const ExportSink&) = delete;
  ExportSink& operator=(const ExportSink&) = delete;

  void write_line(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stream_);
    std::fputc('\n', stream_);
  }

  void commit() {
    if (stream_ == stdout) {
      std::fflush(stdout);
      return;
    }
    const bool failed = std::ferror(stream_) != 0;
    const int closed = std::fclose(stream_);
    stream_ = nullptr;
    if (failed || closed != 0 || std::rename(temp_.c_str(), file_.c_str()) != 0) {
      std::remove(temp_.c_str());
      throw CacheError(fmt::format("writing {} failed: {}", file_, std::strerror(errno)));
    }
  }

  bool to_stdout() const { return file_ == "-"; }

 private:
  std::string file_;
  std::string temp_;
  std::FILE* stream_ = nullptr;
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
    const Json line = export_line(entry, format);
    if (line.contains("value_msgpack_base64")) ++as_bytes;
    sink.write_line(line.dump(-1, ' ', false, Json::error_handler_t::strict));
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

// Reads lines from FILE or stdin ("-"), numbering them and tracking bytes read.
class LineSource {
 public:
  explicit LineSource(const std::string& file) : name_(file) {
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

  bool next(std::string& line) {
    while (std::getline(*in_, line)) {
      ++number_;
      bytes_ += line.size() + 1;
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
  std::string name_;
  std::ifstream file_;
  std::istream* in_ = nullptr;
  std::size_t number_ = 0;
  std::uint64_t bytes_ = 0;
  std::optional<std::uint64_t> size_;
};

ImportedEntry parse_at(const LineSource& source, const std::string& line, std::uint64_t imported) {
  try {
    return parse_import_line(line);
  } catch (const std::exception& e) {
    throw UsageError(fmt::format("{}:{}: {}{}", source.name(), source.number(), e.what(),
                                 imported > 0 ? fmt::format(" ({} entries before it were imported)", imported)
                                              : std::string(" (nothing was imported)")));
  }
}

int run_import(Context& ctx, const std::string& file) {
  const Target target = parse_target(ctx.globals.target);
  LineSource source(file);
  std::string line;
  if (source.rewindable()) {
    // A file is checked whole before anything is written: a bad line imports nothing.
    ProgressBar bar("checking", source.size(), "bytes");
    while (source.next(line)) {
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
  while (source.next(line)) {
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
    auto file = std::make_shared<std::string>();
    CLI::App* imp = app.add_subcommand(
        "import", "Load entries from a JSON Lines FILE written by export (creates the cache if "
                  "needed; expired entries are skipped, the remaining time to live is kept)");
    imp->add_option("FILE", *file, "The file to read, - for stdin")->required();
    commands.push_back(Command{imp, [file](Context& ctx) { return run_import(ctx, *file); }});
  }
}

}  // namespace portico::cache::inspect
