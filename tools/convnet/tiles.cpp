#include "tiles.h"

#include <algorithm>
#include <stdexcept>

namespace convnet::cli {

Tensor tile_images(const std::vector<Tensor>& images, int64_t columns, int64_t zoom, int64_t gap) {
  if (images.empty() || columns < 1 || zoom < 1)
    throw std::invalid_argument("tile_images: needs images, columns >= 1 and zoom >= 1");
  int64_t cell_h = 0, cell_w = 0;
  for (const Tensor& im : images) {
    if (im.rank() != 3 || (im.dim(0) != 1 && im.dim(0) != 3))
      throw std::invalid_argument("tile_images: expected [1 or 3, H, W], got " + im.shape().str());
    cell_h = std::max(cell_h, im.dim(1) * zoom);
    cell_w = std::max(cell_w, im.dim(2) * zoom);
  }
  columns = std::min<int64_t>(columns, int64_t(images.size()));
  const int64_t rows = (int64_t(images.size()) + columns - 1) / columns;
  const int64_t H = rows * cell_h + (rows - 1) * gap, W = columns * cell_w + (columns - 1) * gap;
  Tensor canvas({3, H, W}, 0.5f);
  for (size_t i = 0; i < images.size(); ++i) {
    const Tensor& im = images[i];
    const int64_t top = int64_t(i) / columns * (cell_h + gap);
    const int64_t left = int64_t(i) % columns * (cell_w + gap);
    for (int64_t c = 0; c < 3; ++c) {
      const int64_t src_c = im.dim(0) == 1 ? 0 : c;  // grey images go to every channel
      for (int64_t y = 0; y < im.dim(1) * zoom; ++y)
        for (int64_t x = 0; x < im.dim(2) * zoom; ++x)
          canvas.at(c, top + y, left + x) = im.at(src_c, y / zoom, x / zoom);
    }
  }
  return canvas;
}

}  // namespace convnet::cli
