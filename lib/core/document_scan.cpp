#include "core/document_scan.hpp"

#include <fmt/format.h>
#include <msgpack.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE
namespace detail {

namespace {

// Visits without building anything; stops the parser as soon as the nesting passes the limit.
class DepthLimitVisitor : public msgpack::null_visitor {
 public:

  bool start_array(std::uint32_t /*size*/) { return enter(); }
  bool end_array() { return leave(); }
  bool start_map(std::uint32_t /*size*/) { return enter(); }
  bool end_map() { return leave(); }
  void parse_error(std::size_t /*parsed*/, std::size_t /*error*/) {
    problem_ = DocumentProblem::malformed;
  }
  void insufficient_bytes(std::size_t /*parsed*/, std::size_t /*error*/) {
    problem_ = DocumentProblem::incomplete;
  }

  DocumentProblem problem() const { return problem_; }

 private:
  bool enter() {
    if (++depth_ <= kMaxValueDepth) return true;
    problem_ = DocumentProblem::too_deep;
    return false;
  }
  bool leave() {
    --depth_;
    return true;
  }

  std::size_t depth_ = 0;
  DocumentProblem problem_ = DocumentProblem::none;
};

}  // namespace

DocumentScan scan_document(std::string_view bytes) {
  if (bytes.empty()) return DocumentScan{.problem = DocumentProblem::empty};
  DepthLimitVisitor visitor;
  std::size_t offset = 0;
  if (!msgpack::parse(bytes.data(), bytes.size(), offset, visitor)) {
    const DocumentProblem problem = visitor.problem();
    return DocumentScan{.problem = problem == DocumentProblem::none ? DocumentProblem::malformed
                                                                    : problem};
  }
  if (offset != bytes.size()) {
    return DocumentScan{.problem = DocumentProblem::trailing_bytes, .document_bytes = offset};
  }
  return DocumentScan{.problem = DocumentProblem::none, .document_bytes = offset};
}

std::string describe(const DocumentScan& scan, std::string_view bytes) {
  switch (scan.problem) {
    case DocumentProblem::none:
      return "one complete msgpack document";
    case DocumentProblem::empty:
      return "no bytes";
    case DocumentProblem::malformed:
      return "a byte that starts no msgpack object";
    case DocumentProblem::incomplete:
      return "the bytes end inside the document";
    case DocumentProblem::trailing_bytes:
      return fmt::format("{} trailing bytes after the document", bytes.size() - scan.document_bytes);
    case DocumentProblem::too_deep:
      return fmt::format("arrays and maps nest deeper than kMaxValueDepth ({})", kMaxValueDepth);
  }
  return "an unknown problem";
}

}  // namespace detail
PORTICO_CACHE_END_NAMESPACE
