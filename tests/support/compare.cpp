#include "support/compare.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <vector>

namespace convnet::test {

std::string index_string(const Shape& shape, int64_t flat) {
  std::vector<int64_t> idx(shape.rank());
  for (size_t d = shape.rank(); d-- > 0;) {
    idx[d] = flat % shape[d];
    flat /= shape[d];
  }
  return Shape(std::move(idx)).str();
}

::testing::AssertionResult all_close(const std::string& what, const Shape& shape, const float* got,
                                     const float* want, double rtol, int max_reported) {
  const int64_t n = shape.numel();
  double scale = 0.0;
  for (int64_t i = 0; i < n; ++i)
    scale = std::max({scale, std::abs(double(got[i])), std::abs(double(want[i]))});
  const double allowed = rtol * scale;
  // NaN never compares <= allowed, so it counts as a mismatch.
  std::vector<std::pair<double, int64_t>> bad;
  for (int64_t i = 0; i < n; ++i) {
    const double diff = std::abs(double(got[i]) - double(want[i]));
    if (!(diff <= allowed)) bad.emplace_back(std::isnan(diff) ? INFINITY : diff, i);
  }
  if (bad.empty()) return ::testing::AssertionSuccess();
  std::sort(bad.begin(), bad.end(), [](auto& a, auto& b) { return a.first > b.first; });
  std::ostringstream os;
  os.precision(8);
  os << what << " " << shape.str() << ": " << bad.size() << " of " << n
     << " elements differ by more than " << allowed << " (rtol " << rtol << " x max |value| "
     << scale << "); worst:";
  for (size_t k = 0; k < bad.size() && int(k) < max_reported; ++k) {
    const int64_t i = bad[k].second;
    os << "\n  " << what << index_string(shape, i) << "  got " << got[i] << "  want " << want[i]
       << "  |diff| " << bad[k].first;
  }
  return ::testing::AssertionFailure() << os.str();
}

std::vector<float> random_vector(int64_t n, Rng& rng) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = rng.normal();
  return v;
}

Tensor random_normal(const Shape& shape, Rng& rng, float stddev) {
  Tensor t(shape);
  for (float& x : t) x = rng.normal(0.0f, stddev);
  return t;
}

Tensor random_uniform(const Shape& shape, uint64_t seed, float lo, float hi) {
  Rng rng(seed);
  Tensor t(shape);
  for (float& x : t) x = rng.uniform(lo, hi);
  return t;
}

}  // namespace convnet::test
