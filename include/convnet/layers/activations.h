// Activation layers: an element-wise non-linearity (softmax: over the channel axis) as a layer of
// its own, for models that keep it apart from the Conv2D/Dense before it.
//
//   forward:  y = f(x)          backward: dx = dy * f'(x), computed from the kept output y
//
// ReLU max(0, x); LeakyReLU x or alpha*x (lecture: alpha = 0.1; default 0.01 as PyTorch);
// ELU x or alpha*(e^x - 1); Sigmoid 1/(1+e^-x); Tanh; ReLU6 min(max(0, x), 6);
// Softmax exp(x_c - max) / sum_k exp(x_k - max) (stable for large logits).
#pragma once

#include "convnet/activation.h"
#include "convnet/layer.h"

namespace convnet {

class ActivationLayer : public Layer {
 public:
  ActivationLayer(Activation kind, float alpha) : kind_(kind), alpha_(alpha) {}

  std::string type() const override;
  std::string default_name() const override;
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  bool ends_in_softmax() const override { return kind_ == Activation::softmax; }
  Tensor backward_from_logits(const Tensor& dlogits) override;
  Config config() const override;

  Activation kind() const { return kind_; }
  float alpha() const { return alpha_; }

 private:
  Activation kind_;
  float alpha_;
  Tensor y_;
};

struct ReLU : ActivationLayer {
  ReLU() : ActivationLayer(Activation::relu, 0.0f) {}
};
struct ReLU6 : ActivationLayer {
  ReLU6() : ActivationLayer(Activation::relu6, 0.0f) {}
};
struct LeakyReLUOptions {
  float alpha = 0.01f;  // slope for x < 0
};
struct LeakyReLU : ActivationLayer {
  explicit LeakyReLU(LeakyReLUOptions o = {}) : ActivationLayer(Activation::leaky_relu, o.alpha) {}
};
struct ELUOptions {
  float alpha = 1.0f;  // value approached as x -> -inf is -alpha
};
struct ELU : ActivationLayer {
  explicit ELU(ELUOptions o = {}) : ActivationLayer(Activation::elu, o.alpha) {}
};
struct Sigmoid : ActivationLayer {
  Sigmoid() : ActivationLayer(Activation::sigmoid, 0.0f) {}
};
struct Tanh : ActivationLayer {
  Tanh() : ActivationLayer(Activation::tanh, 0.0f) {}
};
struct Softmax : ActivationLayer {
  Softmax() : ActivationLayer(Activation::softmax, 0.0f) {}
};

}  // namespace convnet
