#include "convnet/vision/image_grid.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace convnet {

int64_t auto_scale(int64_t height, int64_t width) {
  return std::max<int64_t>(1, 64 / std::max<int64_t>(1, std::max(height, width)));
}

Tensor tile_images(const Tensor& tiles, const GridOptions& o) {
  const Shape& s = tiles.shape();
  if (s.rank() != 4 || s[0] < 1 || !(s[1] == 1 || s[1] == 3) || s[2] < 1 || s[3] < 1)
    throw std::invalid_argument(
        "tile_images: expected tiles [N, C, H, W] with N >= 1 and C = 1 "
        "or 3, got " +
        s.str());
  if (o.columns < 0 || o.scale < 0 || o.gap < 0)
    throw std::invalid_argument("tile_images: columns, scale and gap must not be negative");
  const int64_t N = s[0], C = s[1], H = s[2], W = s[3];
  const int64_t cols =
      std::min(N, o.columns ? o.columns : int64_t(std::ceil(std::sqrt(double(N)))));
  const int64_t rows = (N + cols - 1) / cols;
  const int64_t k = o.scale ? o.scale : auto_scale(H, W);
  const int64_t TH = H * k + o.gap, TW = W * k + o.gap;  // one cell, gap included
  const int64_t GH = rows * TH - o.gap, GW = cols * TW - o.gap;
  Tensor grid({C, GH, GW}, o.background);
  for (int64_t n = 0; n < N; ++n) {
    const int64_t top = (n / cols) * TH, left = (n % cols) * TW;
    for (int64_t c = 0; c < C; ++c) {
      const float* src = tiles.data() + (n * C + c) * H * W;
      float* dst = grid.data() + c * GH * GW;
      for (int64_t y = 0; y < H * k; ++y)
        for (int64_t x = 0; x < W * k; ++x)
          dst[(top + y) * GW + left + x] = src[(y / k) * W + x / k];
    }
  }
  return grid;
}

Tensor normalize_each(const Tensor& tiles) {
  if (tiles.rank() < 2 || tiles.dim(0) < 1)
    throw std::invalid_argument("normalize_each: expected tiles [N, ...], got " +
                                tiles.shape().str());
  Tensor out = tiles.clone();
  const int64_t N = tiles.dim(0), per = tiles.numel() / N;
  for (int64_t n = 0; n < N; ++n) {
    float* t = out.data() + n * per;
    float lo = INFINITY, hi = -INFINITY;
    for (int64_t i = 0; i < per; ++i)
      if (!std::isnan(t[i])) lo = std::min(lo, t[i]), hi = std::max(hi, t[i]);
    const float range = hi - lo;
    for (int64_t i = 0; i < per; ++i)
      t[i] = range > 0.0f && !std::isnan(t[i]) ? (t[i] - lo) / range : 0.0f;
  }
  return out;
}

}  // namespace convnet
