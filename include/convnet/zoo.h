// Named architectures: build one by name (`convnet summary lenet5`) or by function.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "convnet/sequential.h"

namespace convnet::zoo {

struct ZooOptions {
  Shape input_shape = {};  // empty: the architecture's own default
  int64_t classes = 0;  // 0: the architecture's own default
  uint64_t seed = 0;    // initialization seed
};

// The lecture's LeNet-like Keras model: 1x32x32 input, Conv 6@3x3 ReLU, AvgPool 2, Conv 16@3x3
// ReLU, AvgPool 2, Flatten, Dense 120 ReLU, 84 ReLU, 10 softmax: 81,194 parameters.
std::unique_ptr<Sequential> lenet_lecture(const ZooOptions& o = {});
// LeNet-5 for 1x28x28 (MNIST, Fashion-MNIST): Conv 6@5x5 'same' ReLU, AvgPool 2, Conv 16@5x5 ReLU,
// AvgPool 2, Flatten, Dense 120 ReLU, 84 ReLU, 10 softmax: 61,706 parameters.
std::unique_ptr<Sequential> lenet5(const ZooOptions& o = {});

// Builds a model by name; throws std::invalid_argument listing model_names() for an unknown one.
std::unique_ptr<Model> make_model(const std::string& name, const ZooOptions& o = {});
std::vector<std::string> model_names();

}  // namespace convnet::zoo
