#include "convnet/layers/local_response_norm.h"

#include "kernels/local_response_norm.h"

namespace convnet {
namespace {

kernels::LrnGeom lrn_geom(const Tensor& x, const LocalResponseNormOptions& o) {
  return {.N = x.dim(0),
          .C = x.dim(1),
          .P = x.numel() / (x.dim(0) * x.dim(1)),
          .size = o.size,
          .alpha = o.alpha,
          .beta = o.beta,
          .k = o.k};
}

}  // namespace

LocalResponseNorm::LocalResponseNorm(LocalResponseNormOptions options) : opt_(options) {
  if (opt_.size < 1) throw std::invalid_argument("LocalResponseNorm: size must be >= 1");
  if (!(opt_.k > 0.0f) || opt_.alpha < 0.0f)
    throw std::invalid_argument(
        "LocalResponseNorm: k must be > 0 and alpha >= 0 (the base of the "
        "power must stay positive)");
}

Shape LocalResponseNorm::output_shape(const Shape& in) const {
  if (in.rank() != 3 && in.rank() != 2) shape_error(in, "[C, H, W] or [C, L]");
  return in;
}

Tensor LocalResponseNorm::forward(const Tensor& x, Mode mode) {
  output_shape(sample_shape(x, x.rank() == 3 ? 3 : 4, "[N, C, H, W] or [N, C, L]"));
  Tensor y(x.shape()), scale(x.shape());
  kernels::local_response_norm_forward(lrn_geom(x, opt_), x.data(), scale.data(), y.data());
  if (mode == Mode::train) {
    x_ = x;
    y_ = y;
    scale_ = scale;
  }
  return y;
}

Tensor LocalResponseNorm::backward(const Tensor& dy) {
  if (x_.empty())
    throw std::logic_error(name() + " (LocalResponseNorm): backward without a training forward");
  if (dy.shape() != x_.shape())
    throw ShapeError(name() + " (LocalResponseNorm): backward received gradient of shape " +
                     dy.shape().str() + ", expected " + x_.shape().str());
  Tensor dx(x_.shape());
  kernels::local_response_norm_backward(lrn_geom(x_, opt_), x_.data(), scale_.data(), y_.data(),
                                        dy.data(), dx.data());
  return dx;
}

Config LocalResponseNorm::config() const {
  Config c;
  c.set("size", opt_.size).set("alpha", double(opt_.alpha)).set("beta", double(opt_.beta));
  c.set("k", double(opt_.k));
  return c;
}

std::unique_ptr<Layer> LocalResponseNorm::from_config(const Config& c) {
  return std::make_unique<LocalResponseNorm>(LocalResponseNormOptions{
      .size = c.get_int("size", 5),
      .alpha = float(c.get_float("alpha", 1e-4)),
      .beta = float(c.get_float("beta", 0.75)),
      .k = float(c.get_float("k", 1.0)),
  });
}

}  // namespace convnet
