// PReLU on tensors viewed as [N, C, P], one slope per channel (C = 1 for a shared slope):
//   dst[n, c, p] = src > 0 ? src : slope[c] * src
#pragma once

#include <cstdint>

namespace convnet::kernels {

void prelu_forward(int64_t N, int64_t C, int64_t P, const float* src, const float* slope,
                   float* dst);
// diff_src = diff_dst where src > 0, slope[c] * diff_dst elsewhere (overwrites; the slope at 0
// as PyTorch); diff_slope[c] += sum_{n, p: src <= 0} diff_dst * src (summed in double).
void prelu_backward(int64_t N, int64_t C, int64_t P, const float* src, const float* slope,
                    const float* diff_dst, float* diff_src, float* diff_slope);

}  // namespace convnet::kernels
