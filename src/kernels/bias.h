// Per-channel bias on NCHW-like tensors viewed as [N, C, P] (P = H * W, or 1 for vectors), for the
// layers whose main kernel does not add the bias itself (Conv2DTranspose).
#pragma once

#include <cstdint>

namespace convnet::kernels {

// dst[n, c, p] += bias[c]
void bias_forward(int64_t N, int64_t C, int64_t P, const float* bias, float* dst);
// diff_bias[c] += sum_{n, p} diff_dst[n, c, p] (summed in double)
void bias_backward(int64_t N, int64_t C, int64_t P, const float* diff_dst, float* diff_bias);

}  // namespace convnet::kernels
