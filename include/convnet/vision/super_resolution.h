// Super-resolution as SRCNN (Dong, Loy, He and Tang 2014, "Learning a Deep Convolutional Network
// for Image Super-Resolution"): the low-resolution image is first enlarged bicubically, and a
// small CNN (zoo "srcnn": 9x9 conv 64, 1x1 conv 32, 5x5 conv 1) restores the detail of its
// luminance. The chrominance of colour images stays bicubic, as in the paper.
//
//   Dataset pairs = super_resolution_pairs(load_dataset("fashion-mnist").train, 2);
//   model->compile(adam, std::make_unique<MeanSquaredError>());
//   model->fit(pairs, {...});
//   Tensor big = upscale(*model, read_image("photo.png"), 2);
//
// Low-resolution images are made by box downscaling (means of scale x scale blocks).
#pragma once

#include <cstdint>

#include "convnet/data/dataset.h"
#include "convnet/model.h"

namespace convnet {

// Training pairs from high-resolution images [N, C, H, W] (grey or RGB): images = the luminance
// downscaled by `scale` and enlarged back bicubically, targets = the luminance itself, both
// [N, 1, H', W'] with H', W' the sizes cropped to multiples of scale. Labels and class names are
// dropped. Throws std::invalid_argument for scale < 2 or images smaller than scale.
Dataset super_resolution_pairs(const Dataset& high_resolution, int64_t scale);

// The low-resolution version of an image [C, H, W] that super_resolution_pairs trains on, before
// any enlargement: [C, H / scale, W / scale].
Tensor downscale_for_super_resolution(const Tensor& image, int64_t scale);

// An image [C, H, W] (C = 1 or 3) enlarged `scale` times: bicubic, then the model applied to the
// luminance (the model is rebuilt for the enlarged size; it must map [1, H, W] to [1, H, W]).
// With model == nullptr, plain bicubic. Output values are clamped to [0, 1]. The model's 'same'
// convolutions pad with zeros as in training, so it expects the kind of borders it was trained
// on: one trained on Fashion-MNIST (black surroundings) darkens the edges of bright photos.
Tensor upscale(Model* model, const Tensor& image, int64_t scale);

}  // namespace convnet
