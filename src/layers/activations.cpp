#include "convnet/layers/activations.h"

#include "layers/fused_activation.h"

namespace convnet {

std::string ActivationLayer::type() const {
  switch (kind_) {
    case Activation::relu: return "ReLU";
    case Activation::relu6: return "ReLU6";
    case Activation::leaky_relu: return "LeakyReLU";
    case Activation::elu: return "ELU";
    case Activation::sigmoid: return "Sigmoid";
    case Activation::tanh: return "Tanh";
    case Activation::softmax: return "Softmax";
    case Activation::linear: return "Linear";
  }
  return "Activation";
}

std::string ActivationLayer::default_name() const { return activation_name(kind_); }

Shape ActivationLayer::output_shape(const Shape& in) const {
  if (in.rank() == 0) shape_error(in, "a shape of rank >= 1");
  return in;
}

Tensor ActivationLayer::forward(const Tensor& x, Mode mode) {
  sample_shape(x, x.rank() < 2 ? 2 : x.rank(), "[N, ...]");
  Tensor y = x.clone();
  FusedActivation{kind_, alpha_}.forward(y);
  if (mode == Mode::train) y_ = y;
  return y;
}

Tensor ActivationLayer::backward(const Tensor& dy) {
  if (y_.empty()) throw std::logic_error(name() + " (" + type() + "): backward without forward");
  Tensor dx = dy.clone();
  FusedActivation{kind_, alpha_}.backward(y_, dx);
  return dx;
}

Tensor ActivationLayer::backward_from_logits(const Tensor& dlogits) {
  if (!ends_in_softmax()) return Layer::backward_from_logits(dlogits);
  return dlogits;
}

Config ActivationLayer::config() const {
  Config c;
  if (kind_ == Activation::leaky_relu || kind_ == Activation::elu) c.set("alpha", double(alpha_));
  return c;
}

}  // namespace convnet
