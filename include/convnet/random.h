// Rng: the one seeded random source of convnet (weight initialization, shuffling, dropout,
// augmentation). xoshiro256** seeded by splitmix64, with its own uniform and normal transforms, so
// that the same seed gives the same numbers with every compiler and standard library.
#pragma once

#include <cstdint>

namespace convnet {

class Rng {
 public:
  explicit Rng(uint64_t seed = 0) { seed_with(seed); }
  void seed_with(uint64_t seed);

  uint64_t next_u64();
  // Uniform in [0, 1) with 24 random bits, exactly representable as float.
  float uniform() { return float(next_u64() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [0, n).
  uint64_t below(uint64_t n);
  // Standard normal by Box-Muller.
  float normal(float mean = 0.0f, float stddev = 1.0f);

 private:
  uint64_t s_[4] = {};
  bool have_spare_ = false;
  float spare_ = 0.0f;
};

}  // namespace convnet
