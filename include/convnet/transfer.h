// Transfer learning, as the lecture teaches it: keep an encoder someone else trained (a zoo model,
// a model file, an imported ONNX model), put a new classifier head on it, freeze the encoder and
// fine-tune.
//
//   auto base = io::import_onnx("mobilenet_v2.onnx");
//   auto model = replace_head(*base, 5);            // the last Dense now has 5 outputs
//   freeze_until(*model, "");                       // everything but the new head is frozen
//   model->compile(...); model->fit(data, ...);
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "convnet/model.h"

namespace convnet {

// A copy of `model` (Sequential or Graph, same layer names, parameters and trainable flags) whose
// last Dense layer, the classifier head, is a fresh Dense of `classes` units (same input, bias and
// activation), initialized from `seed`. Layers after the head (a Softmax) follow it. Throws
// std::invalid_argument when the model has no Dense layer or classes < 1.
std::unique_ptr<Model> replace_head(Model& model, int64_t classes, uint64_t seed = 0);

// Freezes the layers up to and including `layer_name` and leaves the later ones trainable; an empty
// name freezes everything before the last Dense layer (the head). Throws std::invalid_argument
// naming the layers when there is no such layer.
void freeze_until(Model& model, const std::string& layer_name);

}  // namespace convnet
