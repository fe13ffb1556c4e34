#include "convnet/layers/up_sampling2d.h"

#include "kernels/upsample.h"

namespace convnet {
namespace {

kernels::UpsampleGeom upsample_geom(const Shape& x, Size2 size) {
  return {.N = x[0], .C = x[1], .IH = x[2], .IW = x[3], .SH = size.h, .SW = size.w};
}

}  // namespace

UpSampling2D::UpSampling2D(UpSampling2DOptions options) : opt_(options) {
  if (opt_.size.h < 1 || opt_.size.w < 1)
    throw std::invalid_argument("UpSampling2D: size must be >= 1");
}

Shape UpSampling2D::output_shape(const Shape& in) const {
  if (in.rank() != 3) shape_error(in, "[C, H, W]");
  return {in[0], in[1] * opt_.size.h, in[2] * opt_.size.w};
}

Tensor UpSampling2D::forward(const Tensor& x, Mode mode) {
  Tensor y(output_shape(sample_shape(x, 4, "[N, C, H, W]")).with_batch(x.dim(0)));
  const auto g = upsample_geom(x.shape(), opt_.size);
  if (opt_.interpolation == Interpolation::nearest)
    kernels::upsample_nearest_forward(g, x.data(), y.data());
  else
    kernels::upsample_bilinear_forward(g, x.data(), y.data());
  if (mode == Mode::train) x_shape_ = x.shape();
  return y;
}

Tensor UpSampling2D::backward(const Tensor& dy) {
  if (x_shape_.rank() != 4)
    throw std::logic_error(name() + " (UpSampling2D): backward without a training forward");
  Tensor dx(x_shape_);
  const auto g = upsample_geom(x_shape_, opt_.size);
  if (opt_.interpolation == Interpolation::nearest)
    kernels::upsample_nearest_backward(g, dy.data(), dx.data());
  else
    kernels::upsample_bilinear_backward(g, dy.data(), dx.data());
  return dx;
}

Layer::Window UpSampling2D::window() const {
  const int64_t reach = opt_.interpolation == Interpolation::bilinear ? 2 : 1;
  return {.kernel = reach, .upsample = opt_.size};
}

Config UpSampling2D::config() const {
  Config c;
  c.set("size", std::vector<int64_t>{opt_.size.h, opt_.size.w});
  c.set("interpolation",
        std::string(opt_.interpolation == Interpolation::nearest ? "nearest" : "bilinear"));
  return c;
}

std::unique_ptr<Layer> UpSampling2D::from_config(const Config& c) {
  const auto size = c.get_ints("size", {2, 2});
  if (size.size() != 2) throw std::invalid_argument("config key 'size' needs [h, w]");
  const std::string interpolation = c.get_string("interpolation", "nearest");
  if (interpolation != "nearest" && interpolation != "bilinear")
    throw std::invalid_argument("UpSampling2D: unknown interpolation '" + interpolation +
                                "' (known: nearest, bilinear)");
  return std::make_unique<UpSampling2D>(
      UpSampling2DOptions{.size = {size[0], size[1]},
                          .interpolation = interpolation == "nearest" ? Interpolation::nearest
                                                                      : Interpolation::bilinear});
}

}  // namespace convnet
