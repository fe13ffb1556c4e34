#include "kernels/local_response_norm.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace convnet::kernels {
namespace {

// acc[p] = sum over channels c in [lo, hi] (clipped to [0, C)) of plane[c][p].
void sum_channels(const float* planes, int64_t C, int64_t P, int64_t lo, int64_t hi, float* acc) {
  std::fill_n(acc, P, 0.0f);
  for (int64_t c = std::max<int64_t>(lo, 0); c <= std::min(hi, C - 1); ++c) {
    const float* v = planes + c * P;
    for (int64_t p = 0; p < P; ++p) acc[p] += v[p];
  }
}

}  // namespace

void local_response_norm_forward(const LrnGeom& g, const float* src, float* scale, float* dst) {
  const int64_t CP = g.C * g.P;
  const float a = g.alpha / float(g.size);
  std::vector<float> sq(static_cast<size_t>(CP)), acc(static_cast<size_t>(g.P));
  for (int64_t n = 0; n < g.N; ++n) {
    const float* x = src + n * CP;
    for (int64_t i = 0; i < CP; ++i) sq[size_t(i)] = x[i] * x[i];
    for (int64_t c = 0; c < g.C; ++c) {
      sum_channels(sq.data(), g.C, g.P, c - g.size / 2, c + (g.size - 1) / 2, acc.data());
      float* s = scale + n * CP + c * g.P;
      float* y = dst + n * CP + c * g.P;
      const float* xc = x + c * g.P;
      for (int64_t p = 0; p < g.P; ++p) {
        s[p] = g.k + a * acc[size_t(p)];
        y[p] = xc[p] * std::pow(s[p], -g.beta);
      }
    }
  }
}

void local_response_norm_backward(const LrnGeom& g, const float* src, const float* scale,
                                  const float* dst, const float* diff_dst, float* diff_src) {
  const int64_t CP = g.C * g.P;
  const float coef = 2.0f * g.alpha * g.beta / float(g.size);
  std::vector<float> t(static_cast<size_t>(CP)), acc(static_cast<size_t>(g.P));
  for (int64_t n = 0; n < g.N; ++n) {
    const int64_t base = n * CP;
    for (int64_t i = 0; i < CP; ++i)
      t[size_t(i)] = diff_dst[base + i] * dst[base + i] / scale[base + i];
    for (int64_t j = 0; j < g.C; ++j) {
      // The channels whose window holds j: the window read backwards.
      sum_channels(t.data(), g.C, g.P, j - (g.size - 1) / 2, j + g.size / 2, acc.data());
      const int64_t o = base + j * g.P;
      for (int64_t p = 0; p < g.P; ++p)
        diff_src[o + p] =
            diff_dst[o + p] * std::pow(scale[o + p], -g.beta) - coef * src[o + p] * acc[size_t(p)];
    }
  }
}

}  // namespace convnet::kernels
