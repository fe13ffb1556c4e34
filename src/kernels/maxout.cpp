#include "kernels/maxout.h"

#include <algorithm>

namespace convnet::kernels {

void maxout_forward(const MaxoutGeom& g, const float* src, float* dst, int32_t* argmax) {
  for (int64_t nu = 0; nu < g.N * g.U; ++nu) {
    const float* s = src + nu * g.K * g.P;  // the K pieces of unit u, P values each
    float* d = dst + nu * g.P;
    for (int64_t p = 0; p < g.P; ++p) {
      int32_t best = 0;
      float v = s[p];
      for (int32_t i = 1; i < g.K && v == v; ++i) {
        const float c = s[i * g.P + p];
        if (c > v || c != c) v = c, best = i;
      }
      d[p] = v;
      if (argmax) argmax[nu * g.P + p] = best;
    }
  }
}

void maxout_backward(const MaxoutGeom& g, const float* diff_dst, const int32_t* argmax,
                     float* diff_src) {
  std::fill_n(diff_src, g.N * g.U * g.K * g.P, 0.0f);
  for (int64_t nu = 0; nu < g.N * g.U; ++nu)
    for (int64_t p = 0; p < g.P; ++p) {
      const int64_t i = nu * g.P + p;
      diff_src[(nu * g.K + argmax[i]) * g.P + p] = diff_dst[i];
    }
}

}  // namespace convnet::kernels
