#include "convnet/vision/image_ops.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/resample.h"

namespace convnet {
namespace {

// The leading dimensions folded into one plane count: [.., H, W] -> (planes, H, W).
struct Planes {
  int64_t count, H, W;
};

Planes planes_of(const Tensor& t, const char* who) {
  if (t.rank() != 3 && t.rank() != 4)
    throw std::invalid_argument(std::string(who) + ": expected [C, H, W] or [N, C, H, W], got " +
                                t.shape().str());
  const int64_t H = t.dim(t.rank() - 2), W = t.dim(t.rank() - 1);
  return {t.numel() / (H * W), H, W};
}

Shape with_spatial(const Shape& s, int64_t H, int64_t W) {
  Shape out = s;
  out[s.rank() - 2] = H;
  out[s.rank() - 1] = W;
  return out;
}

int64_t channel_axis(const Tensor& t) {
  return t.rank() == 4 ? 1 : 0;
}

// out[c'] = sum_c m[c'][c] * in[c] + offset[c'] for each pixel of 3-channel images.
Tensor mix_channels(const Tensor& in, const float m[3][3], const float offset[3], const char* who) {
  if ((in.rank() != 3 && in.rank() != 4) || in.dim(channel_axis(in)) != 3)
    throw std::invalid_argument(std::string(who) + ": expected 3 channels, got " +
                                in.shape().str());
  Tensor out(in.shape());
  const int64_t HW = in.dim(in.rank() - 2) * in.dim(in.rank() - 1);
  const int64_t images = in.numel() / (3 * HW);
  for (int64_t n = 0; n < images; ++n) {
    const float* s = in.data() + n * 3 * HW;
    float* d = out.data() + n * 3 * HW;
    for (int64_t p = 0; p < HW; ++p)
      for (int c = 0; c < 3; ++c)
        d[c * HW + p] = m[c][0] * s[p] + m[c][1] * s[HW + p] + m[c][2] * s[2 * HW + p] + offset[c];
  }
  return out;
}

}  // namespace

Tensor resize_bicubic(const Tensor& images, int64_t height, int64_t width) {
  const Planes p = planes_of(images, "resize_bicubic");
  if (height < 1 || width < 1)
    throw std::invalid_argument("resize_bicubic: size " + std::to_string(height) + "x" +
                                std::to_string(width) + " must be positive");
  Tensor out(with_spatial(images.shape(), height, width));
  kernels::resize_bicubic(images.data(), p.count, p.H, p.W, out.data(), height, width);
  return out;
}

Tensor downscale_area(const Tensor& images, int64_t factor) {
  const Planes p = planes_of(images, "downscale_area");
  if (factor < 1 || p.H < factor || p.W < factor)
    throw std::invalid_argument("downscale_area: factor " + std::to_string(factor) +
                                " does not fit images " + images.shape().str());
  Tensor out(with_spatial(images.shape(), p.H / factor, p.W / factor));
  kernels::downscale_area(images.data(), p.count, p.H, p.W, factor, out.data());
  return out;
}

Tensor crop(const Tensor& images, int64_t top, int64_t left, int64_t height, int64_t width) {
  const Planes p = planes_of(images, "crop");
  if (top < 0 || left < 0 || height < 1 || width < 1 || top + height > p.H || left + width > p.W)
    throw std::invalid_argument("crop: window " + std::to_string(height) + "x" +
                                std::to_string(width) + " at (" + std::to_string(top) + ", " +
                                std::to_string(left) + ") is not inside " + images.shape().str());
  Tensor out(with_spatial(images.shape(), height, width));
  for (int64_t c = 0; c < p.count; ++c)
    for (int64_t y = 0; y < height; ++y)
      std::copy_n(images.data() + (c * p.H + top + y) * p.W + left, width,
                  out.data() + (c * height + y) * width);
  return out;
}

Tensor pad_edges(const Tensor& images, int64_t top, int64_t left, int64_t bottom, int64_t right) {
  const Planes p = planes_of(images, "pad_edges");
  if (top < 0 || left < 0 || bottom < 0 || right < 0)
    throw std::invalid_argument("pad_edges: padding must be >= 0");
  const int64_t H = p.H + top + bottom, W = p.W + left + right;
  Tensor out(with_spatial(images.shape(), H, W));
  for (int64_t c = 0; c < p.count; ++c) {
    const float* in = images.data() + c * p.H * p.W;
    float* o = out.data() + c * H * W;
    for (int64_t y = 0; y < H; ++y) {
      const float* row = in + std::clamp<int64_t>(y - top, 0, p.H - 1) * p.W;
      for (int64_t x = 0; x < W; ++x) o[y * W + x] = row[std::clamp<int64_t>(x - left, 0, p.W - 1)];
    }
  }
  return out;
}

Tensor rgb_to_ycbcr(const Tensor& rgb) {
  static const float m[3][3] = {
      {0.299f, 0.587f, 0.114f}, {-0.168736f, -0.331264f, 0.5f}, {0.5f, -0.418688f, -0.081312f}};
  static const float offset[3] = {0.f, 0.5f, 0.5f};
  return mix_channels(rgb, m, offset, "rgb_to_ycbcr");
}

Tensor ycbcr_to_rgb(const Tensor& ycbcr) {
  // The inverse of the matrix above, with the chroma offsets folded into the constant term.
  static const float m[3][3] = {
      {1.f, 0.f, 1.402f}, {1.f, -0.344136f, -0.714136f}, {1.f, 1.772f, 0.f}};
  static const float offset[3] = {-0.701f, 0.529136f, -0.886f};
  return mix_channels(ycbcr, m, offset, "ycbcr_to_rgb");
}

Tensor luminance(const Tensor& images) {
  planes_of(images, "luminance");
  const int64_t channels = images.dim(channel_axis(images));
  if (channels == 1) return images;
  const Tensor ycc = rgb_to_ycbcr(images);
  Shape shape = images.shape();
  shape[size_t(channel_axis(images))] = 1;
  Tensor y(shape);
  const int64_t HW = images.dim(images.rank() - 2) * images.dim(images.rank() - 1);
  for (int64_t n = 0; n < y.numel() / HW; ++n)
    std::copy(ycc.data() + n * 3 * HW, ycc.data() + n * 3 * HW + HW, y.data() + n * HW);
  return y;
}

}  // namespace convnet
