// Image kernels on one image [C, H, W] (row-major, planes of H x W), used by the image loaders and
// by augmentation.
#pragma once

#include <cstdint>

namespace convnet::kernels {

// dst[i] = src[i] / 255 (exactly, as torchvision's ToTensor).
void bytes_to_unit(const uint8_t* src, int64_t n, float* dst);

// Interleaved 8-bit pixels [H, W, C] (as decoders give them) -> planes [C, H, W] in [0, 1].
void hwc_bytes_to_chw(const uint8_t* src, int64_t C, int64_t H, int64_t W, float* dst);

// Bilinear resize [C, IH, IW] -> [C, OH, OW] with PyTorch's align_corners=False mapping:
// source y = (oy + 0.5) * IH / OH - 0.5, clamped at 0; neighbours clamped at the last row/column.
void resize_bilinear(const float* src, int64_t C, int64_t IH, int64_t IW, float* dst, int64_t OH,
                     int64_t OW);

// Mirrors every row in place.
void flip_horizontal(float* img, int64_t C, int64_t H, int64_t W);

// dst[c, y, x] = src[c, y - dy, x - dx], 0 where that falls outside; dst must not alias src.
void translate(const float* src, float* dst, int64_t C, int64_t H, int64_t W, int64_t dy,
               int64_t dx);

}  // namespace convnet::kernels
