#include "convnet/layer.h"

#include <cctype>

namespace convnet {

std::string Layer::default_name() const {
  // "MaxPool2D" -> "max_pool2d": an underscore where a lower-case letter meets an upper-case one.
  const std::string t = type();
  std::string s;
  for (size_t i = 0; i < t.size(); ++i) {
    const unsigned char c = t[i];
    if (std::isupper(c) && i > 0 && std::islower(static_cast<unsigned char>(t[i - 1]))) s += '_';
    s += char(std::tolower(c));
  }
  return s;
}

Shape Layer::build(const Shape& input, Rng& rng) {
  return finish_build(input, output_shape(input), rng);
}

Shape Layer::finish_build(const Shape& input, const Shape& output, Rng& rng) {
  input_shape_ = input;
  output_shape_ = output;
  allocate(input);
  reset_parameters(rng);
  built_ = true;
  return output_shape_;
}

int64_t Layer::param_count() {
  int64_t n = 0;
  for (const Param& p : params()) n += p.value->numel();
  return n;
}

int64_t Layer::trainable_param_count() {
  if (!trainable_) return 0;
  int64_t n = 0;
  for (const Param& p : params())
    if (p.grad) n += p.value->numel();
  return n;
}

void Layer::zero_grad() {
  for (const Param& p : params())
    if (p.grad) p.grad->zero();
}

Tensor Layer::backward_from_logits(const Tensor&) {
  throw std::logic_error(name_ + " (" + type() + "): has no softmax output");
}

void Layer::shape_error(const Shape& received, const std::string& expected) const {
  throw ShapeError((name_.empty() ? default_name() : name_) + " (" + type() +
                   "): received input shape " + received.str() + ", expected " + expected);
}

Shape Layer::sample_shape(const Tensor& x, size_t rank, const char* expected) const {
  if (x.rank() != rank || x.dim(0) == 0) {
    throw ShapeError((name_.empty() ? default_name() : name_) + " (" + type() +
                     "): received batch of shape " + x.shape().str() + ", expected " + expected);
  }
  return x.shape().without_batch();
}

}  // namespace convnet
