// 2-D max and average pooling on NCHW tensors, per channel.
//   max: dst[n, c, oh, ow] = max over the window of src (padding never wins)
//   avg: dst[n, c, oh, ow] = sum over the window / count, where count is the number of taps inside
//        the input (count_include_pad = false, Keras) or inside the padded input (true, PyTorch's
//        default).
// Window of output (oh, ow): rows oh*SH - PT ... + KH - 1, columns ow*SW - PL ... + KW - 1.
#pragma once

#include <cstdint>

namespace convnet::kernels {

struct PoolGeom {
  int64_t N = 1, C = 1, IH = 1, IW = 1;
  int64_t KH = 1, KW = 1;
  int64_t SH = 1, SW = 1;
  int64_t PT = 0, PL = 0;
  int64_t OH = 1, OW = 1;
};

// argmax[i] receives the index within its (n, c) input plane of the winning tap of dst[i].
void max_pool2d_forward(const PoolGeom& g, const float* src, float* dst, int32_t* argmax);
// diff_src = 0, then diff_src[argmax[i]] += diff_dst[i].
void max_pool2d_backward(const PoolGeom& g, const float* diff_dst, const int32_t* argmax,
                         float* diff_src);

void avg_pool2d_forward(const PoolGeom& g, bool count_include_pad, const float* src, float* dst);
// Overwrites diff_src.
void avg_pool2d_backward(const PoolGeom& g, bool count_include_pad, const float* diff_dst,
                         float* diff_src);

}  // namespace convnet::kernels
