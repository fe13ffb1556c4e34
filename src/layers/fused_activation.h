// The activation that Conv2D and Dense apply to their output (Keras' `activation=` argument).
// Internal to the layers: applies in place and keeps the output for the backward pass.
#pragma once

#include <vector>

#include "convnet/activation.h"
#include "convnet/config.h"
#include "convnet/layer.h"
#include "convnet/tensor.h"
#include "kernels/activation.h"

namespace convnet {

struct FusedActivation {
  Activation kind = Activation::linear;
  float alpha = 0.0f;  // slope of leaky_relu, scale of elu

  // y = f(y), in place; softmax is over axis 1.
  void forward(Tensor& y) const {
    if (kind == Activation::softmax)
      kernels::softmax_forward(y.data(), y.data(), y.dim(0), y.dim(1), y.numel() / (y.dim(0) * y.dim(1)));
    else
      kernels::activation_forward(kind, alpha, y.data(), y.data(), y.numel());
  }
  // dy = dy * f'(.) in place, given the output y of forward.
  void backward(const Tensor& y, Tensor& dy) const {
    if (kind == Activation::softmax)
      kernels::softmax_backward(y.data(), dy.data(), dy.data(), y.dim(0), y.dim(1),
                                y.numel() / (y.dim(0) * y.dim(1)));
    else
      kernels::activation_backward(kind, alpha, y.data(), dy.data(), dy.data(), y.numel());
  }
  // The "activation" and "activation_alpha" keys of the layer's config.
  void put_config(Config& c) const {
    c.set("activation", activation_name(kind)).set("activation_alpha", double(alpha));
  }
  static FusedActivation from_config(const Config& c) {
    return {activation_from_name(c.get_string("activation", "linear")),
            float(c.get_float("activation_alpha", 0.0))};
  }
  // ReLU-family activations take He initialization, the others Glorot.
  bool relu_like() const {
    return kind == Activation::relu || kind == Activation::leaky_relu ||
           kind == Activation::relu6 || kind == Activation::elu;
  }
};

// The parameters of the layers with a weight and an optional bias (convolutions, Dense), in the
// order model files and optimizers see them.
inline std::vector<Param> weight_and_bias(Tensor& weight, Tensor& dweight, Tensor& bias,
                                          Tensor& dbias, bool use_bias) {
  std::vector<Param> p{{"weight", &weight, &dweight}};
  if (use_bias) p.push_back({"bias", &bias, &dbias});
  return p;
}

}  // namespace convnet
