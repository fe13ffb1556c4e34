// Local response normalization across channels (AlexNet), PyTorch's definition, on tensors viewed
// as [N, C, P] (P = H * W):
//
//   scale[c] = k + alpha / size * sum_{c' = c - size/2}^{c + (size-1)/2} src[c']^2
//   dst[c]   = src[c] * scale[c]^-beta
//
// with channels outside [0, C) contributing zero (integer division in the window bounds).
#pragma once

#include <cstdint>

namespace convnet::kernels {

struct LrnGeom {
  int64_t N = 1, C = 1, P = 1;
  int64_t size = 5;
  float alpha = 1e-4f, beta = 0.75f, k = 1.0f;
};

// scale receives scale[c] (shape of src) for the backward pass.
void local_response_norm_forward(const LrnGeom& g, const float* src, float* scale, float* dst);
// With t[c] = diff_dst[c] * dst[c] / scale[c] (= diff_dst * src * scale^(-beta-1)):
//   diff_src[j] = diff_dst[j] * scale[j]^-beta
//                 - 2 * alpha * beta / size * src[j] * sum_{c : j in window(c)} t[c]
// where j in window(c) <=> c in [j - (size-1)/2, j + size/2]. Overwrites diff_src.
void local_response_norm_backward(const LrnGeom& g, const float* src, const float* scale,
                                  const float* dst, const float* diff_dst, float* diff_src);

}  // namespace convnet::kernels
