#include "kernels/batch_norm.h"

namespace convnet::kernels {

void batch_norm_statistics(const BatchNormGeom& g, const float* src, float* mean, float* var) {
  const double M = double(g.N * g.P);
  for (int64_t c = 0; c < g.C; ++c) {
    // Two passes: the mean first, then squared deviations, which stays accurate when
    // |mean| >> stddev (E[x^2] - E[x]^2 would cancel catastrophically).
    double sum = 0.0;
    for (int64_t n = 0; n < g.N; ++n) {
      const float* x = src + (n * g.C + c) * g.P;
      for (int64_t p = 0; p < g.P; ++p) sum += x[p];
    }
    const double mu = sum / M;
    double sq = 0.0;
    for (int64_t n = 0; n < g.N; ++n) {
      const float* x = src + (n * g.C + c) * g.P;
      for (int64_t p = 0; p < g.P; ++p) sq += (x[p] - mu) * (x[p] - mu);
    }
    mean[c] = float(mu);
    var[c] = float(sq / M);
  }
}

void batch_norm_forward(const BatchNormGeom& g, const float* src, const float* mean,
                        const float* invstd, const float* gamma, const float* beta, float* dst) {
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t c = 0; c < g.C; ++c) {
      // dst = scale * x + shift, with the normalization and the affine part folded together.
      const float scale = invstd[c] * (gamma ? gamma[c] : 1.0f);
      const float shift = (beta ? beta[c] : 0.0f) - mean[c] * scale;
      const float* x = src + (n * g.C + c) * g.P;
      float* y = dst + (n * g.C + c) * g.P;
      for (int64_t p = 0; p < g.P; ++p) y[p] = x[p] * scale + shift;
    }
}

void batch_norm_backward(const BatchNormGeom& g, bool through_statistics, const float* src,
                         const float* mean, const float* invstd, const float* gamma,
                         const float* diff_dst, float* diff_src, float* diff_gamma,
                         float* diff_beta) {
  const double M = double(g.N * g.P);
  for (int64_t c = 0; c < g.C; ++c) {
    // The two per-channel sums every gradient needs: sum(dy) and sum(dy * xhat).
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t n = 0; n < g.N; ++n) {
      const float* x = src + (n * g.C + c) * g.P;
      const float* dy = diff_dst + (n * g.C + c) * g.P;
      for (int64_t p = 0; p < g.P; ++p) {
        sum_dy += dy[p];
        sum_dy_xhat += double(dy[p]) * (x[p] - mean[c]);
      }
    }
    sum_dy_xhat *= invstd[c];
    if (diff_gamma) diff_gamma[c] += float(sum_dy_xhat);
    if (diff_beta) diff_beta[c] += float(sum_dy);

    const float k = invstd[c] * (gamma ? gamma[c] : 1.0f);
    // Through the statistics: dx = k * (dy - mean(dy) - xhat * mean(dy * xhat)).
    const float mean_dy = through_statistics ? float(sum_dy / M) : 0.0f;
    const float mean_dy_xhat = through_statistics ? float(sum_dy_xhat / M) : 0.0f;
    for (int64_t n = 0; n < g.N; ++n) {
      const float* x = src + (n * g.C + c) * g.P;
      const float* dy = diff_dst + (n * g.C + c) * g.P;
      float* dx = diff_src + (n * g.C + c) * g.P;
      for (int64_t p = 0; p < g.P; ++p) {
        const float xhat = (x[p] - mean[c]) * invstd[c];
        dx[p] = k * (dy[p] - mean_dy - xhat * mean_dy_xhat);
      }
    }
  }
}

}  // namespace convnet::kernels
