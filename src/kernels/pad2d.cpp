#include "kernels/pad2d.h"

#include <algorithm>

namespace convnet::kernels {

void zero_pad2d_forward(const Pad2DGeom& g, const float* src, float* dst) {
  const int64_t OH = g.OH(), OW = g.OW();
  std::fill_n(dst, g.planes * OH * OW, 0.0f);
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t ih = 0; ih < g.IH; ++ih)
      std::copy_n(src + (p * g.IH + ih) * g.IW, g.IW, dst + (p * OH + ih + g.PT) * OW + g.PL);
}

void zero_pad2d_backward(const Pad2DGeom& g, const float* diff_dst, float* diff_src) {
  const int64_t OH = g.OH(), OW = g.OW();
  for (int64_t p = 0; p < g.planes; ++p)
    for (int64_t ih = 0; ih < g.IH; ++ih)
      std::copy_n(diff_dst + (p * OH + ih + g.PT) * OW + g.PL, g.IW,
                  diff_src + (p * g.IH + ih) * g.IW);
}

}  // namespace convnet::kernels
