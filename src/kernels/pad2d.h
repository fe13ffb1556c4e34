// Zero padding of NCHW planes: src [N*C, IH, IW] -> dst [N*C, IH + PT + PB, IW + PL + PR] with
// src at rows PT.., columns PL.., zeros around it. The backward pass is the crop that takes the
// same window back out.
#pragma once

#include <cstdint>

namespace convnet::kernels {

struct Pad2DGeom {
  int64_t planes = 1, IH = 1, IW = 1;  // planes = N * C
  int64_t PT = 0, PB = 0, PL = 0, PR = 0;
  int64_t OH() const { return IH + PT + PB; }
  int64_t OW() const { return IW + PL + PR; }
};

void zero_pad2d_forward(const Pad2DGeom& g, const float* src, float* dst);
// diff_src = the window of diff_dst that forward filled from src (overwrites diff_src).
void zero_pad2d_backward(const Pad2DGeom& g, const float* diff_dst, float* diff_src);

}  // namespace convnet::kernels
