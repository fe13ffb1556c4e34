// Maxout over groups of consecutive channels: src [N, U * K, P] -> dst [N, U, P] with
//   dst[n, u, p] = max_{i < K} src[n, u*K + i, p]
// (the first maximum wins ties; a NaN wins outright, as in PyTorch's max).
#pragma once

#include <cstdint>

namespace convnet::kernels {

struct MaxoutGeom {
  int64_t N = 1, U = 1, K = 1, P = 1;  // batch, units (output channels), pieces, pixels
};

// argmax (may be null) receives the winning piece i of each dst element.
void maxout_forward(const MaxoutGeom& g, const float* src, float* dst, int32_t* argmax);
// diff_src = diff_dst at each winning piece, 0 elsewhere (overwrites diff_src).
void maxout_backward(const MaxoutGeom& g, const float* diff_dst, const int32_t* argmax,
                     float* diff_src);

}  // namespace convnet::kernels
