// Test helper: opens a cache directory, says "ready", and holds it open until stdin closes.
#include <cstdio>
#include <iostream>
#include <string>

#include <portico/cache/rocksdb_adapter.hpp>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: hold-cache DIR\n";
    return 2;
  }
  portico::cache::RocksDBCacheAdapter cache(argv[1]);
  std::cout << "ready" << std::endl;
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  return 0;
}
