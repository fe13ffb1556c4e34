// MergeLayer's shared parts, Add and Multiply.
#include "convnet/layers/merge.h"

namespace convnet {

Shape MergeLayer::build(const std::vector<Shape>& inputs, Rng& rng) {
  return finish_build(inputs.at(0), output_shape(inputs), rng);
}

void MergeLayer::shapes_error(const std::vector<Shape>& got, const std::string& expected) const {
  std::string list;
  for (const Shape& s : got) list += (list.empty() ? "" : ", ") + s.str();
  throw ShapeError((name().empty() ? default_name() : name()) + " (" + type() +
                   "): received input shapes " + list + ", expected " + expected);
}

Shape MergeLayer::common_shape(const std::vector<Shape>& in) const {
  if (in.size() < 2) shapes_error(in, "two or more inputs");
  for (const Shape& s : in)
    if (!(s == in[0])) shapes_error(in, "inputs of one shape");
  return in[0];
}

std::vector<Shape> MergeLayer::shapes_of(const std::vector<Tensor>& xs) {
  std::vector<Shape> shapes;
  for (const Tensor& x : xs) shapes.push_back(x.shape().without_batch());
  return shapes;
}

Shape Add::output_shape(const std::vector<Shape>& in) const { return common_shape(in); }

Tensor Add::forward(const std::vector<Tensor>& xs, Mode) {
  output_shape(shapes_of(xs));
  Tensor y = xs[0].clone();
  for (size_t i = 1; i < xs.size(); ++i) {
    const float* x = xs[i].data();
    float* out = y.data();
    for (int64_t k = 0; k < y.numel(); ++k) out[k] += x[k];
  }
  count_ = xs.size();
  return y;
}

std::vector<Tensor> Add::backward_all(const Tensor& dy) {
  // Every input receives dy unchanged; sharing its storage is safe because gradients are
  // never modified in place.
  return std::vector<Tensor>(count_, dy);
}

Shape Multiply::output_shape(const std::vector<Shape>& in) const { return common_shape(in); }

Tensor Multiply::forward(const std::vector<Tensor>& xs, Mode mode) {
  output_shape(shapes_of(xs));
  Tensor y = xs[0].clone();
  for (size_t i = 1; i < xs.size(); ++i)
    for (int64_t k = 0; k < y.numel(); ++k) y[k] *= xs[i][k];
  if (mode == Mode::train) xs_ = xs;
  return y;
}

std::vector<Tensor> Multiply::backward_all(const Tensor& dy) {
  std::vector<Tensor> dxs;
  for (size_t i = 0; i < xs_.size(); ++i) {
    Tensor dx = dy.clone();
    for (size_t j = 0; j < xs_.size(); ++j)
      if (j != i)
        for (int64_t k = 0; k < dx.numel(); ++k) dx[k] *= xs_[j][k];
    dxs.push_back(std::move(dx));
  }
  return dxs;
}

}  // namespace convnet
