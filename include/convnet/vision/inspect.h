// Looking inside a model: the lecture's "convolution kernels learned by a neural network", the
// feature maps of one image at any layer, and the receptive field of a unit.
//
//   auto model = io::load_model("lenet5.safetensors").model;
//   write_png("filters.png", filter_grid(*model));                   // first conv layer's kernels
//   write_png("maps.png", feature_grid(*model, image, "conv2d_1"));  // its feature maps
//   ReceptiveField f = receptive_field(*model, "conv2d_1");          // 14x14 field, jump 2
#pragma once

#include <cstdint>
#include <string>

#include "convnet/model.h"
#include "convnet/vision/image_grid.h"

namespace convnet {

// The layer named `name`, or when name is empty the model's first layer with convolution kernels
// (a rank-4 "weight": Conv2D, DepthwiseConv2D, Conv2DTranspose). Throws std::invalid_argument when
// there is none or the named layer has no kernels.
Layer& conv_layer(Model& model, const std::string& name = "");
// The model's first layer with convolution kernels, or null.
Layer* first_conv_layer(Model& model);

// The kernels W [K, C, KH, KW] of conv_layer(model, layer) as one image, each filter stretched to
// [0, 1] by its own minimum and maximum over all its channels (the classic AlexNet picture):
//   C = 3: one colour tile per filter (RGB first layers);
//   otherwise: grey tiles, one row per filter and one column per input channel (one column of
//   filters laid out as a square-ish grid when C = 1).
Tensor filter_grid(Model& model, const std::string& layer = "", GridOptions options = {});

// The activations of image [C, H, W] (the model's input shape) at `layer` as one grey image: one
// tile per feature map [K, H2, W2], each stretched to [0, 1] by its own range (an all-zero map,
// e.g. a dead ReLU, is black). A vector output [F] (after Flatten or Dense) becomes F one-pixel
// tiles stretched by their common range.
Tensor feature_grid(Model& model, const Tensor& image, const std::string& layer,
                    GridOptions options = {});

// The receptive field of a layer's units on the model input, from Model::summary_info().
struct ReceptiveField {
  std::string layer;
  Shape output_shape;         // one sample
  Size2 size = 1;             // input pixels one unit sees (height x width), padding included
  Size2 jump = 1;             // input distance between neighbouring units
  int64_t top = 0, left = 0;  // input coordinates of unit (0, 0)'s field (negative in padding)

  // Inclusive input rows and columns that unit (y, x) sees; may reach outside the image where the
  // layers pad.
  struct Region {
    int64_t top, left, bottom, right;
  };
  Region region(int64_t y, int64_t x) const {
    return {top + y * jump.h, left + x * jump.w, top + y * jump.h + size.h - 1,
            left + x * jump.w + size.w - 1};
  }
};
ReceptiveField receptive_field(Model& model, const std::string& layer);

}  // namespace convnet
