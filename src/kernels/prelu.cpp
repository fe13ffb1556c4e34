#include "kernels/prelu.h"

namespace convnet::kernels {

void prelu_forward(int64_t N, int64_t C, int64_t P, const float* src, const float* slope,
                   float* dst) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      const float* s = src + (n * C + c) * P;
      float* d = dst + (n * C + c) * P;
      const float a = slope[c];
      for (int64_t p = 0; p < P; ++p) d[p] = s[p] > 0.0f ? s[p] : a * s[p];
    }
}

void prelu_backward(int64_t N, int64_t C, int64_t P, const float* src, const float* slope,
                    const float* diff_dst, float* diff_src, float* diff_slope) {
  for (int64_t c = 0; c < C; ++c) {
    const float a = slope[c];
    double da = 0.0;
    for (int64_t n = 0; n < N; ++n) {
      const int64_t base = (n * C + c) * P;
      for (int64_t p = 0; p < P; ++p) {
        const float s = src[base + p], dd = diff_dst[base + p];
        if (s > 0.0f) {
          diff_src[base + p] = dd;
        } else {
          diff_src[base + p] = a * dd;
          da += double(dd) * s;
        }
      }
    }
    diff_slope[c] += float(da);
  }
}

}  // namespace convnet::kernels
