#include "convnet/init.h"

#include <cmath>

namespace convnet {

void he_normal(Tensor& w, int64_t fan_in, Rng& rng) {
  const float stddev = std::sqrt(2.0f / float(fan_in));
  for (float& v : w) v = rng.normal(0.0f, stddev);
}

void glorot_uniform(Tensor& w, int64_t fan_in, int64_t fan_out, Rng& rng) {
  const float a = std::sqrt(6.0f / float(fan_in + fan_out));
  for (float& v : w) v = rng.uniform(-a, a);
}

}  // namespace convnet
