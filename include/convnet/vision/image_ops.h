// Whole-image operations for the image-to-image applications: bicubic resizing, box downscaling
// and the luminance/chrominance split (super-resolution works on luminance only, as SRCNN).
// Images are [C, H, W] or batches [N, C, H, W], values in [0, 1].
#pragma once

#include <cstdint>

#include "convnet/tensor.h"

namespace convnet {

// Bicubic resize to height x width (PyTorch's interpolate(mode="bicubic", align_corners=False),
// a = -0.75); not clamped, so values may overshoot [0, 1] near edges.
Tensor resize_bicubic(const Tensor& images, int64_t height, int64_t width);

// Means of factor x factor blocks (PyTorch's interpolate(mode="area")): [.., H, W] ->
// [.., H / factor, W / factor], dropping the rows and columns past the last whole block.
Tensor downscale_area(const Tensor& images, int64_t factor);

// The height x width window at (top, left) of every plane; throws std::invalid_argument when it
// does not lie inside the images.
Tensor crop(const Tensor& images, int64_t top, int64_t left, int64_t height, int64_t width);

// Every plane with `top` rows above, `bottom` below, `left` columns before and `right` after that
// repeat its nearest edge pixel (replicate padding): a border for convolutions that would
// otherwise see zeros there. Amounts must be >= 0.
Tensor pad_edges(const Tensor& images, int64_t top, int64_t left, int64_t bottom, int64_t right);

// JPEG's full-range YCbCr (ITU-R BT.601): Y = 0.299 R + 0.587 G + 0.114 B,
// Cb = 0.5 + (B - Y) / 1.772, Cr = 0.5 + (R - Y) / 1.402; and back. Channels must be 3.
Tensor rgb_to_ycbcr(const Tensor& rgb);
Tensor ycbcr_to_rgb(const Tensor& ycbcr);

// The luminance channel, [.., 1, H, W]: Y of RGB images, grey images as they are.
Tensor luminance(const Tensor& images);

}  // namespace convnet
