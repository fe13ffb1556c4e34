// Activation: the element-wise non-linearities, usable fused into Conv2D and Dense
// (Keras' `activation='relu'`) or as layers of their own (layers/activations.h).
#pragma once

#include <string>

namespace convnet {

enum class Activation {
  linear,      // y = x
  relu,        // y = max(0, x)
  leaky_relu,  // y = x for x >= 0, alpha * x otherwise
  elu,         // y = x for x >= 0, alpha * (exp(x) - 1) otherwise
  sigmoid,     // y = 1 / (1 + exp(-x))
  tanh,        // y = tanh(x)
  softmax,     // y_c = exp(x_c) / sum_k exp(x_k), over the channel axis (axis 1)
  relu6,       // y = min(max(0, x), 6)
};

// "relu", "leaky_relu", ... (Keras' strings); activation_from_name throws std::invalid_argument
// listing the known names.
std::string activation_name(Activation a);
Activation activation_from_name(const std::string& name);

}  // namespace convnet
