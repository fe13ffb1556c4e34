// Pictures made of several images side by side, for the commands whose result is best looked at.
#pragma once

#include <cstdint>
#include <vector>

#include "convnet/tensor.h"

namespace convnet::cli {

// Images [C, H, W] (C = 1 or 3; each may differ in size) on an RGB canvas, `columns` to a row,
// each enlarged `zoom` times (nearest neighbour) and separated by `gap` mid-grey pixels.
Tensor tile_images(const std::vector<Tensor>& images, int64_t columns, int64_t zoom = 1,
                   int64_t gap = 2);

}  // namespace convnet::cli
