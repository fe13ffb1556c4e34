// Resampling kernels for super-resolution, on planes [C, H, W] (row-major, planes of H x W).
#pragma once

#include <cstdint>

namespace convnet::kernels {

// Bicubic resize [C, IH, IW] -> [C, OH, OW], PyTorch's interpolate(mode="bicubic",
// align_corners=False): source x = (ox + 0.5) * IW / OW - 0.5 (not clamped), the 4 taps
// floor(x) - 1 .. floor(x) + 2 clamped to the image, Keys' cubic with a = -0.75:
//   w(d) = (a + 2)|d|^3 - (a + 3)|d|^2 + 1       for |d| <= 1
//          a|d|^3 - 5a|d|^2 + 8a|d| - 4a         for 1 < |d| < 2
// Rows first, then columns (separable); values are not clamped (bicubic overshoots at edges).
void resize_bicubic(const float* src, int64_t C, int64_t IH, int64_t IW, float* dst, int64_t OH,
                    int64_t OW);

// Box downscale by an integer factor F: dst [C, IH / F, IW / F] holds the means of F x F blocks
// (PyTorch's interpolate(mode="area") when F divides the size); rows and columns past the last
// whole block are dropped.
void downscale_area(const float* src, int64_t C, int64_t IH, int64_t IW, int64_t F, float* dst);

}  // namespace convnet::kernels
