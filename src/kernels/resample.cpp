#include "kernels/resample.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace convnet::kernels {
namespace {

constexpr float kCubicA = -0.75f;  // PyTorch's and OpenCV's choice (PIL uses -0.5)

// Taps and weights of one output coordinate along one axis.
struct CubicTaps {
  int64_t index[4];
  float weight[4];
};

CubicTaps cubic_taps(int64_t out, int64_t in_size, int64_t out_size) {
  const float scale = float(in_size) / float(out_size);
  const float x = (float(out) + 0.5f) * scale - 0.5f;
  const float x0 = std::floor(x);
  const float t = x - x0;
  const float a = kCubicA;
  auto near = [a](float d) { return ((a + 2.f) * d - (a + 3.f)) * d * d + 1.f; };
  auto far = [a](float d) { return ((a * d - 5.f * a) * d + 8.f * a) * d - 4.f * a; };
  CubicTaps taps{{}, {far(t + 1.f), near(t), near(1.f - t), far(2.f - t)}};
  for (int i = 0; i < 4; ++i)
    taps.index[i] = std::clamp<int64_t>(int64_t(x0) - 1 + i, 0, in_size - 1);
  return taps;
}

std::vector<CubicTaps> all_taps(int64_t in_size, int64_t out_size) {
  std::vector<CubicTaps> taps(static_cast<size_t>(out_size));
  for (int64_t o = 0; o < out_size; ++o) taps[size_t(o)] = cubic_taps(o, in_size, out_size);
  return taps;
}

}  // namespace

void resize_bicubic(const float* src, int64_t C, int64_t IH, int64_t IW, float* dst, int64_t OH,
                    int64_t OW) {
  const std::vector<CubicTaps> ty = all_taps(IH, OH), tx = all_taps(IW, OW);
  std::vector<float> rows(size_t(IH * OW));  // one plane resized along x only
  for (int64_t c = 0; c < C; ++c) {
    const float* s = src + c * IH * IW;
    for (int64_t y = 0; y < IH; ++y)
      for (int64_t ox = 0; ox < OW; ++ox) {
        const CubicTaps& t = tx[size_t(ox)];
        float v = 0.f;
        for (int i = 0; i < 4; ++i) v += t.weight[i] * s[y * IW + t.index[i]];
        rows[size_t(y * OW + ox)] = v;
      }
    float* d = dst + c * OH * OW;
    for (int64_t oy = 0; oy < OH; ++oy) {
      const CubicTaps& t = ty[size_t(oy)];
      for (int64_t ox = 0; ox < OW; ++ox) {
        float v = 0.f;
        for (int i = 0; i < 4; ++i) v += t.weight[i] * rows[size_t(t.index[i] * OW + ox)];
        d[oy * OW + ox] = v;
      }
    }
  }
}

void downscale_area(const float* src, int64_t C, int64_t IH, int64_t IW, int64_t F, float* dst) {
  const int64_t OH = IH / F, OW = IW / F;
  const float inv = 1.0f / float(F * F);
  for (int64_t c = 0; c < C; ++c)
    for (int64_t oy = 0; oy < OH; ++oy)
      for (int64_t ox = 0; ox < OW; ++ox) {
        float sum = 0.f;
        for (int64_t dy = 0; dy < F; ++dy)
          for (int64_t dx = 0; dx < F; ++dx) sum += src[(c * IH + oy * F + dy) * IW + ox * F + dx];
        dst[(c * OH + oy) * OW + ox] = sum * inv;
      }
}

}  // namespace convnet::kernels
