#include "kernels/image.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

namespace convnet::kernels {

void bytes_to_unit(const uint8_t* src, int64_t n, float* dst) {
  for (int64_t i = 0; i < n; ++i) dst[i] = float(src[i]) / 255.0f;
}

void hwc_bytes_to_chw(const uint8_t* src, int64_t C, int64_t H, int64_t W, float* dst) {
  const int64_t plane = H * W;
  for (int64_t c = 0; c < C; ++c)
    for (int64_t i = 0; i < plane; ++i) dst[c * plane + i] = float(src[i * C + c]) / 255.0f;
}

namespace {

// For one axis: the two source indices and the weight of the second, per output index.
struct Taps {
  std::vector<int64_t> i0, i1;
  std::vector<float> w1;
};

Taps bilinear_taps(int64_t in, int64_t out) {
  Taps t;
  t.i0.resize(out);
  t.i1.resize(out);
  t.w1.resize(out);
  const double scale = double(in) / double(out);
  for (int64_t o = 0; o < out; ++o) {
    const double src = std::max(0.0, (double(o) + 0.5) * scale - 0.5);
    const int64_t i0 = std::min(int64_t(src), in - 1);
    t.i0[o] = i0;
    t.i1[o] = std::min(i0 + 1, in - 1);
    t.w1[o] = float(src - double(i0));
  }
  return t;
}

}  // namespace

void resize_bilinear(const float* src, int64_t C, int64_t IH, int64_t IW, float* dst, int64_t OH,
                     int64_t OW) {
  const Taps ty = bilinear_taps(IH, OH), tx = bilinear_taps(IW, OW);
  for (int64_t c = 0; c < C; ++c) {
    const float* s = src + c * IH * IW;
    float* d = dst + c * OH * OW;
    for (int64_t oy = 0; oy < OH; ++oy) {
      const float* r0 = s + ty.i0[oy] * IW;
      const float* r1 = s + ty.i1[oy] * IW;
      const float wy = ty.w1[oy];
      for (int64_t ox = 0; ox < OW; ++ox) {
        const int64_t x0 = tx.i0[ox], x1 = tx.i1[ox];
        const float wx = tx.w1[ox];
        const float top = (1.0f - wx) * r0[x0] + wx * r0[x1];
        const float bottom = (1.0f - wx) * r1[x0] + wx * r1[x1];
        d[oy * OW + ox] = (1.0f - wy) * top + wy * bottom;
      }
    }
  }
}

void flip_horizontal(float* img, int64_t C, int64_t H, int64_t W) {
  for (int64_t r = 0; r < C * H; ++r) std::reverse(img + r * W, img + (r + 1) * W);
}

void translate(const float* src, float* dst, int64_t C, int64_t H, int64_t W, int64_t dy,
               int64_t dx) {
  std::memset(dst, 0, sizeof(float) * size_t(C * H * W));
  // Destination rows y and columns x whose source (y - dy, x - dx) lies inside the image.
  const int64_t y_begin = std::max<int64_t>(0, dy), y_end = std::min(H, H + dy);
  const int64_t x_begin = std::max<int64_t>(0, dx), x_end = std::min(W, W + dx);
  if (y_begin >= y_end || x_begin >= x_end) return;
  const size_t row_bytes = sizeof(float) * size_t(x_end - x_begin);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t y = y_begin; y < y_end; ++y)
      std::memcpy(dst + (c * H + y) * W + x_begin, src + (c * H + y - dy) * W + x_begin - dx,
                  row_bytes);
}

}  // namespace convnet::kernels
