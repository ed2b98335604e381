// The workload shared by the benchmark programs: keys of a fixed size, values of a fixed size,
// and uniform and zipfian key choices.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace portico::bench {

// splitmix64: a small, fast generator; one per thread.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

 private:
  std::uint64_t state_;
};

// `prefix` followed by `n` in decimal, zero-padded so the key is `size` bytes long (longer
// when prefix and digits do not fit).
inline std::string make_key(std::string_view prefix, std::uint64_t n, std::size_t size) {
  std::string digits = std::to_string(n);
  std::string key(prefix);
  if (prefix.size() + digits.size() < size) key.append(size - prefix.size() - digits.size(), '0');
  key += digits;
  return key;
}

// An absent key that sorts among the present keys make_key("key:", i, size) (it differs from
// key i in its last byte), so a lookup reaches the table files and their bloom filters
// instead of being turned away by their key ranges.
inline std::string miss_key(std::uint64_t near, std::size_t size) {
  std::string key = make_key("key:", near, size > 5 ? size - 1 : 4);
  key += '~';
  return key;
}

// A value of `size` printable bytes, different for each seed: lz4 finds little to compress.
inline std::string make_value(std::uint64_t seed, std::size_t size) {
  static constexpr std::string_view kAlphabet =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  Rng rng(seed * 7919 + 17);
  std::string value(size, ' ');
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < size; ++i) {
    if (i % 10 == 0) bits = rng.next();
    value[i] = kAlphabet[bits & 63];
    bits >>= 6;
  }
  return value;
}

// Zipfian ranks in [0, n) with exponent theta (YCSB's generator, Gray et al.), scrambled so
// that the hot keys are spread over the key space instead of sitting next to each other.
class Zipf {
 public:
  Zipf(std::uint64_t n, double theta) : n_(n), theta_(theta) {
    zetan_ = zeta(n, theta);
    const double zeta2 = zeta(2, theta);
    alpha_ = 1.0 / (1.0 - theta);
    eta_ = (1.0 - std::pow(2.0 / static_cast<double>(n), 1.0 - theta)) / (1.0 - zeta2 / zetan_);
  }

  std::uint64_t next(Rng& rng) const {
    const double u = rng.unit();
    const double uz = u * zetan_;
    std::uint64_t rank;
    if (uz < 1.0) {
      rank = 0;
    } else if (uz < 1.0 + std::pow(0.5, theta_)) {
      rank = 1;
    } else {
      rank = static_cast<std::uint64_t>(static_cast<double>(n_) *
                                        std::pow(eta_ * u - eta_ + 1.0, alpha_));
    }
    if (rank >= n_) rank = n_ - 1;
    return scramble(rank) % n_;
  }

 private:
  static double zeta(std::uint64_t n, double theta) {
    double sum = 0;
    for (std::uint64_t i = 1; i <= n; ++i) sum += 1.0 / std::pow(static_cast<double>(i), theta);
    return sum;
  }
  static std::uint64_t scramble(std::uint64_t x) {  // FNV-1a over the 8 bytes
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (int i = 0; i < 8; ++i) {
      h ^= (x >> (i * 8)) & 0xff;
      h *= 0x100000001b3ULL;
    }
    return h;
  }

  std::uint64_t n_;
  double theta_;
  double zetan_ = 0;
  double alpha_ = 0;
  double eta_ = 0;
};

}  // namespace portico::bench
