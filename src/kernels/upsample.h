// 2-D up-sampling of NCHW tensors by integer factors: src [N, C, IH, IW] -> dst [N, C, IH*SH,
// IW*SW], each (n, c) plane on its own.
//
//   nearest:  dst[oh, ow] = src[oh / SH, ow / SW]
//   bilinear: dst[oh, ow] = sum of the 2x2 neighbours of the source point (h, w), weighted by
//             (1 - |h - ih|)(1 - |w - iw|), where h = max((oh + 0.5) / SH - 0.5, 0) and the same
//             for w: pixel centres aligned, corners not (PyTorch's align_corners=False, Keras and
//             TensorFlow's half-pixel centres); a neighbour past the last row/column is the last.
//
// The backward passes scatter diff_dst back along the same weights and overwrite diff_src.
#pragma once

#include <cstdint>

namespace convnet::kernels {

struct UpsampleGeom {
  int64_t N = 1, C = 1, IH = 1, IW = 1;
  int64_t SH = 1, SW = 1;  // factors; OH = IH * SH, OW = IW * SW
};

void upsample_nearest_forward(const UpsampleGeom& g, const float* src, float* dst);
void upsample_nearest_backward(const UpsampleGeom& g, const float* diff_dst, float* diff_src);
void upsample_bilinear_forward(const UpsampleGeom& g, const float* src, float* dst);
void upsample_bilinear_backward(const UpsampleGeom& g, const float* diff_dst, float* diff_src);

}  // namespace convnet::kernels
