// Batch normalization on tensors viewed as [N, C, P]: C channels (features), each normalized over
// its N * P values (P = H * W for images, 1 for feature vectors).
//
//   xhat = (src - mean[c]) * invstd[c],   dst = gamma[c] * xhat + beta[c]
//
// gamma and beta may be null (no affine part: gamma = 1, beta = 0).
#pragma once

#include <cstdint>

namespace convnet::kernels {

struct BatchNormGeom {
  int64_t N = 1, C = 1, P = 1;
};

// Per-channel mean and biased variance (divided by N * P) of src, accumulated in double.
void batch_norm_statistics(const BatchNormGeom& g, const float* src, float* mean, float* var);

void batch_norm_forward(const BatchNormGeom& g, const float* src, const float* mean,
                        const float* invstd, const float* gamma, const float* beta, float* dst);

// Backward with mean and invstd the statistics of src itself (training), so that the gradient
// flows through them too (M = N * P):
//   diff_src = gamma * invstd / M * (M * diff_dst - sum(diff_dst) - xhat * sum(diff_dst * xhat))
// or, with through_statistics = false, with mean and invstd constants (running statistics):
//   diff_src = gamma * invstd * diff_dst.
// Either way diff_gamma += sum(diff_dst * xhat) and diff_beta += sum(diff_dst) (each may be null).
void batch_norm_backward(const BatchNormGeom& g, bool through_statistics, const float* src,
                         const float* mean, const float* invstd, const float* gamma,
                         const float* diff_dst, float* diff_src, float* diff_gamma,
                         float* diff_beta);

}  // namespace convnet::kernels
