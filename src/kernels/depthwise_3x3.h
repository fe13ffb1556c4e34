// The vectorized inner kernel of kernels/depthwise_conv2d.h: one 3x3 filter over one plane.
#pragma once

#include <cstdint>

namespace convnet::kernels {

// One input plane [IH, IW] -> one output plane [OH, OW] (rows oh*SH - PT + kh*DH, columns
// ow*SW - PL + kw, zeros outside the input), SW in {1, 2}; PT and PL may be negative.
struct Plane3x3 {
  int64_t IH, IW, OH, OW, SH, SW, PT, PL, DH;
  // Applied to each finished output row while it is in L1 when `clamp` is set:
  // v = min(max(scale * v + shift, lo), hi) (a folded batch norm with ReLU or ReLU6).
  bool clamp = false;
  float scale = 1.0f, shift = 0.0f, lo = 0.0f, hi = 0.0f;
};

// dst = the 3x3 correlation of src with w[9] (row-major), overwritten.
void depthwise_3x3_plane(const Plane3x3& p, const float* src, const float* w, float* dst);

// The weight gradient of one plane at stride 1 (SH = SW = 1): dw[kh * 3 + kw] = sum over the
// outputs of diff_dst[oh, ow] * src[oh - PT + kh * DH, ow - PL + kw], each tap one vectorized
// sum in an order fixed by the geometry.
void depthwise_3x3_plane_weight_grad(const Plane3x3& p, const float* src, const float* diff_dst,
                                     float dw[9]);

}  // namespace convnet::kernels
