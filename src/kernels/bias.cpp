#include "kernels/bias.h"

namespace convnet::kernels {

void bias_forward(int64_t N, int64_t C, int64_t P, const float* bias, float* dst) {
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      float* d = dst + (n * C + c) * P;
      const float b = bias[c];
      for (int64_t p = 0; p < P; ++p) d[p] += b;
    }
}

void bias_backward(int64_t N, int64_t C, int64_t P, const float* diff_dst, float* diff_bias) {
  for (int64_t c = 0; c < C; ++c) {
    double s = 0.0;
    for (int64_t n = 0; n < N; ++n) {
      const float* d = diff_dst + (n * C + c) * P;
      for (int64_t p = 0; p < P; ++p) s += d[p];
    }
    diff_bias[c] += float(s);
  }
}

}  // namespace convnet::kernels
