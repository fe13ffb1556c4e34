// A synthetic segmentation data set: coloured circles, squares and triangles on a plain
// background, with the class of every pixel. Small enough to train a segmentation network on a
// CPU in minutes, and its masks are exact.
//
// Each image has 1 .. max_shapes shapes that do not overlap, each of random size, position, colour
// and (squares, triangles) rotation, on a background of one random colour; then Gaussian noise.
// A shape's colour differs from the background by at least 0.35 in some channel, so every shape
// is visible and the class must come from the outline, not the colour.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convnet/data/dataset.h"

namespace convnet {

struct ShapesOptions {
  int64_t count = 1000;    // images
  int64_t size = 32;       // height = width, >= 16
  int64_t max_shapes = 3;  // per image (at least 1)
  float noise = 0.03f;     // stddev of the Gaussian pixel noise (values are clamped to [0, 1])
  uint64_t seed = 0;
};

// {"background", "circle", "square", "triangle"}: class k is the k-th name.
const std::vector<std::string>& shape_class_names();

// images [count, 3, size, size] in [0, 1]; targets [count, size, size] of class indices; class
// names as above; no labels. The same options give the same images.
Dataset make_shapes(const ShapesOptions& options);

}  // namespace convnet
