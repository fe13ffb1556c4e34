#include "convnet/layers/maxout.h"

#include "kernels/maxout.h"

namespace convnet {
namespace {

kernels::MaxoutGeom maxout_geom(const Shape& x, int64_t pieces) {
  return {.N = x[0], .U = x[1] / pieces, .K = pieces, .P = x.numel() / (x[0] * x[1])};
}

}  // namespace

Maxout::Maxout(MaxoutOptions options) : opt_(options) {
  if (opt_.pieces < 1) throw std::invalid_argument("Maxout: pieces must be >= 1");
}

Shape Maxout::output_shape(const Shape& in) const {
  if (in.rank() == 0 || in[0] % opt_.pieces != 0)
    shape_error(in, "[C, ...] with C divisible by pieces = " + std::to_string(opt_.pieces));
  Shape out = in;
  out[0] /= opt_.pieces;
  return out;
}

Tensor Maxout::forward(const Tensor& x, Mode mode) {
  const Shape in = sample_shape(x, x.rank() < 2 ? 2 : x.rank(), "[N, C, ...]");
  Tensor y(output_shape(in).with_batch(x.dim(0)));
  const bool train = mode == Mode::train;
  if (train) {
    x_shape_ = x.shape();
    argmax_.resize(size_t(y.numel()));
  }
  kernels::maxout_forward(maxout_geom(x.shape(), opt_.pieces), x.data(), y.data(),
                          train ? argmax_.data() : nullptr);
  return y;
}

Tensor Maxout::backward(const Tensor& dy) {
  if (x_shape_.rank() < 2)
    throw std::logic_error(name() + " (Maxout): backward without a training forward");
  Tensor dx(x_shape_);
  kernels::maxout_backward(maxout_geom(x_shape_, opt_.pieces), dy.data(), argmax_.data(),
                           dx.data());
  return dx;
}

Config Maxout::config() const { return Config().set("pieces", opt_.pieces); }

std::unique_ptr<Layer> Maxout::from_config(const Config& c) {
  return std::make_unique<Maxout>(MaxoutOptions{.pieces = c.get_int("pieces", 2)});
}

}  // namespace convnet
