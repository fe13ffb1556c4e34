// Transfer learning (the lecture's "use a pretrained network as a feature extractor, retrain the
// last layer"): freeze the layers of a trained model up to a name and give it a new classifier.
//
//   auto model = io::load_model("fashion5.safetensors").model;   // trained on other classes
//   model = replace_head(*model, 5);     // a fresh Dense of 5 units in place of the old classifier
//   freeze_until(*model, "dense_1");     // everything up to dense_1 keeps its weights
//   model->compile(...);                  // the optimizer then updates the new head only
//   model->fit(small_labelled_set, {...});
//
// Both work on Sequential and Graph models; layers are taken in Model::layers() order, which for a
// graph is the order in which they were added (a topological order).
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "convnet/model.h"
#include "convnet/shape.h"

namespace convnet {

// Sets trainable = false on every layer up to and including `layer`, and true on the layers after
// it; an empty name freezes everything before the last Dense layer (the head). Throws
// std::invalid_argument naming the layers when there is no layer of that name.
void freeze_until(Model& model, const std::string& layer);

// A copy of the model whose last Dense layer, the classifier head, has `classes` units, freshly
// initialized from `seed` (same name, activation and bias option) and trainable; layers after it
// (a Softmax) follow it, and every other layer keeps its weights, state and trainable flag. Throws
// std::invalid_argument when the model has no Dense layer or classes < 1.
std::unique_ptr<Model> replace_head(Model& model, int64_t classes, uint64_t seed = 0);

// A copy of the model with the same layers and weights for another input shape: a fully
// convolutional network trained on 28x28 crops runs on a whole photo. Single-input models only.
// Throws std::invalid_argument naming the layer that cannot take the new shape, or the parameter
// whose shape it would change (a Dense after a Flatten).
std::unique_ptr<Model> with_input_shape(Model& model, const Shape& input_shape);

// A fully convolutional image-to-image model (segmentation, autoencoder) applied to one image
// [C, H, W] of any size: the model is rebuilt for the image edge-padded to the smallest multiple of
// 2^k (k <= 6) that its poolings and up-samplings give back unchanged, and the output [C', Hp, Wp]
// is cropped to [C', H, W]. Runs the model itself when the image has its input shape. Throws
// std::invalid_argument when no size works (a Dense layer inside, an output of another size).
Tensor forward_any_size(Model& model, const Tensor& image);

}  // namespace convnet
