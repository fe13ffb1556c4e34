// Flatten and Reshape: views of the same data, so forward and backward copy nothing.
#include "convnet/layers/reshape.h"

#include <algorithm>

#include "convnet/layers/flatten.h"

namespace convnet {

Shape Flatten::output_shape(const Shape& in) const {
  if (in.rank() == 0) shape_error(in, "a shape of rank >= 1");
  return {in.numel()};
}

Tensor Flatten::forward(const Tensor& x, Mode mode) {
  if (x.rank() < 2) shape_error(x.shape(), "[N, ...] of rank >= 2");
  if (mode == Mode::train) x_shape_ = x.shape();
  return x.reshape({x.dim(0), x.numel() / std::max<int64_t>(x.dim(0), 1)});
}

Tensor Flatten::backward(const Tensor& dy) { return dy.reshape(x_shape_); }

Reshape::Reshape(ReshapeOptions options) : opt_(std::move(options)) {
  int unknown = 0;
  for (int64_t d : opt_.target_shape) {
    if (d == -1) ++unknown;
    else if (d < 1) throw std::invalid_argument("Reshape: dimensions must be >= 1 or -1");
  }
  if (unknown > 1) throw std::invalid_argument("Reshape: at most one dimension may be -1");
}

Shape Reshape::output_shape(const Shape& in) const {
  std::vector<int64_t> dims = opt_.target_shape;
  int64_t known = 1;
  for (int64_t d : dims)
    if (d != -1) known *= d;
  const std::string want = Shape(opt_.target_shape).str() + " (" + std::to_string(known) +
                           (known == Shape(dims).numel() ? " elements)" : "*k elements)");
  for (int64_t& d : dims)
    if (d == -1) {
      if (known == 0 || in.numel() % known != 0) shape_error(in, "a shape that fits " + want);
      d = in.numel() / known;
    }
  if (Shape(dims).numel() != in.numel()) shape_error(in, "a shape that fits " + want);
  return Shape(std::move(dims));
}

Tensor Reshape::forward(const Tensor& x, Mode mode) {
  if (x.rank() < 1) shape_error(x.shape(), "[N, ...]");
  if (mode == Mode::train) x_shape_ = x.shape();
  return x.reshape(output_shape(x.shape().without_batch()).with_batch(x.dim(0)));
}

Tensor Reshape::backward(const Tensor& dy) { return dy.reshape(x_shape_); }

Config Reshape::config() const { return Config().set("target_shape", opt_.target_shape); }

std::unique_ptr<Layer> Reshape::from_config(const Config& c) {
  return std::make_unique<Reshape>(ReshapeOptions{c.get_ints("target_shape")});
}

}  // namespace convnet
