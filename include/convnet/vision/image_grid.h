// Image grids: many small images (kernels, feature maps, test images) laid out as one picture,
// each tile enlarged by nearest-neighbour so that a 5x5 kernel is visible as 5x5 blocks.
#pragma once

#include <cstdint>

#include "convnet/tensor.h"

namespace convnet {

struct GridOptions {
  int64_t columns = 0;      // tiles per row; 0: ceil(sqrt(N)), a square-ish grid
  int64_t scale = 0;        // pixel size of one tile pixel; 0: enough for tiles of about 64 px
  int64_t gap = 2;          // pixels between tiles (and none around the grid)
  float background = 1.0f;  // the gap's grey level
};

// tiles [N, C, H, W] with C = 1 or 3 and values in [0, 1] -> one image [C, GH, GW] with
// GH = rows * (H * scale + gap) - gap and GW = columns * (W * scale + gap) - gap; empty cells of
// the last row take the background. Throws std::invalid_argument for other shapes.
Tensor tile_images(const Tensor& tiles, const GridOptions& options = {});

// The scale tile_images uses when options.scale is 0: max(1, 64 / max(H, W)).
int64_t auto_scale(int64_t height, int64_t width);

// Each tile [C, H, W] of tiles [N, C, H, W] stretched to [0, 1] by its own minimum and maximum
// over all its channels (a constant tile becomes 0); NaN counts as the minimum.
Tensor normalize_each(const Tensor& tiles);

}  // namespace convnet
