#include "convnet/vision/super_resolution.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "convnet/transfer.h"
#include "convnet/vision/image_ops.h"
#include "convnet/vision/inspect.h"

namespace convnet {
namespace {

void check_scale(int64_t scale, int64_t H, int64_t W, const char* who) {
  if (scale < 2 || H < scale || W < scale)
    throw std::invalid_argument(std::string(who) + ": scale " + std::to_string(scale) +
                                " must be >= 2 and fit the image size " + std::to_string(H) + "x" +
                                std::to_string(W));
}

}  // namespace

Dataset super_resolution_pairs(const Dataset& high_resolution, int64_t scale) {
  const Tensor& hr = high_resolution.images;
  if (hr.rank() != 4)
    throw std::invalid_argument("super_resolution_pairs: expected images [N, C, H, W]");
  check_scale(scale, hr.dim(2), hr.dim(3), "super_resolution_pairs");
  const int64_t H = hr.dim(2) / scale * scale, W = hr.dim(3) / scale * scale;
  Dataset pairs;
  pairs.targets = crop(luminance(hr), 0, 0, H, W);
  pairs.images = resize_bicubic(downscale_area(pairs.targets, scale), H, W);
  return pairs;
}

Tensor downscale_for_super_resolution(const Tensor& image, int64_t scale) {
  if (image.rank() != 3)
    throw std::invalid_argument("downscale_for_super_resolution: expected [C, H, W]");
  check_scale(scale, image.dim(1), image.dim(2), "downscale_for_super_resolution");
  return downscale_area(image, scale);
}

Tensor upscale(Model* model, const Tensor& image, int64_t scale) {
  if (image.rank() != 3 || (image.dim(0) != 1 && image.dim(0) != 3))
    throw std::invalid_argument("upscale: expected an image [1 or 3, H, W], got " +
                                image.shape().str());
  if (scale < 1) throw std::invalid_argument("upscale: scale must be >= 1");
  const int64_t H = image.dim(1) * scale, W = image.dim(2) * scale;
  Tensor big = resize_bicubic(image, H, W);
  if (model) {
    const bool colour = image.dim(0) == 3;
    Tensor planes = colour ? rgb_to_ycbcr(big) : big;
    // The convolutions pad with zeros, which a photo's border is not: the luminance gets a margin
    // of repeated edge pixels as wide as the model's reach, so no output pixel sees the zeros.
    const std::vector<Layer*> layers = model->layers();
    const Size2 field =
        layers.empty() ? Size2(1) : receptive_field(*model, layers.back()->name()).size;
    const int64_t m = std::max(field.h, field.w) / 2, PH = H + 2 * m, PW = W + 2 * m;
    std::unique_ptr<Model> sized;
    Model* run = model;
    if (!(model->input_shape() == Shape{1, PH, PW})) {
      sized = with_input_shape(*model, {1, PH, PW});
      run = sized.get();
    }
    const Tensor y = run->forward(
        pad_edges(Tensor::from({1, 1, H, W}, planes.data()), m, m, m, m));
    if (y.numel() != PH * PW)
      throw std::invalid_argument("upscale: the model maps [1, " + std::to_string(PH) + ", " +
                                  std::to_string(PW) + "] to " + y.shape().str() +
                                  ", expected the same shape");
    const Tensor inner = crop(y, m, m, H, W);
    std::copy_n(inner.data(), H * W, planes.data());
    big = colour ? ycbcr_to_rgb(planes) : planes;
  }
  for (float& v : big) v = std::clamp(v, 0.f, 1.f);
  return big;
}

}  // namespace convnet
