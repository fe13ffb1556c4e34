// A model summary as JSON: {"name", "input_shape", "layers": [{"name", "type", "output_shape",
// "params", "trainable"}], "total_params", "trainable_params", "non_trainable_params"}.
#pragma once

#include <string>

#include "convnet/model.h"

namespace convnet::io {

std::string summary_to_json(const ModelSummary& s, int indent = 2);

}  // namespace convnet::io
