// Checks that bytes are one msgpack document nesting no deeper than kMaxValueDepth, without building
// it: msgpack-cxx's parser walks the bytes with an explicit stack (no recursion, no
// allocation per object), so hostile input can neither overflow the call stack nor make the
// check allocate in proportion to its object count.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <portico/cache/export.hpp>
#include <portico/cache/limits.hpp>

PORTICO_CACHE_BEGIN_NAMESPACE
namespace detail {

enum class DocumentProblem {
  none,
  empty,           // no bytes at all
  malformed,       // a byte that starts no msgpack object
  incomplete,      // the bytes end inside the document
  trailing_bytes,  // more bytes follow the document
  too_deep,        // arrays and maps nest deeper than kMaxValueDepth
};

struct DocumentScan {
  DocumentProblem problem = DocumentProblem::none;
  std::size_t document_bytes = 0;  // the length of the document when it is complete
};

// Depth counts the arrays and maps around the innermost object: a scalar is 0 deep, [1] is 1.
DocumentScan scan_document(std::string_view bytes);

// What is wrong, for the message of an exception, e.g. "arrays and maps nest deeper than
// kMaxValueDepth (256)". `bytes` are the scanned bytes.
std::string describe(const DocumentScan& scan, std::string_view bytes);

}  // namespace detail
PORTICO_CACHE_END_NAMESPACE
