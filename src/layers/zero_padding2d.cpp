#include "convnet/layers/zero_padding2d.h"

#include "kernels/pad2d.h"

namespace convnet {
namespace {

kernels::Pad2DGeom pad_geom(const Shape& x, const Pads& p) {
  return {.planes = x[0] * x[1],
          .IH = x[2],
          .IW = x[3],
          .PT = p.top,
          .PB = p.bottom,
          .PL = p.left,
          .PR = p.right};
}

}  // namespace

ZeroPadding2D::ZeroPadding2D(ZeroPadding2DOptions options) {
  if (options.padding.mode == PaddingMode::same)
    throw std::invalid_argument(
        "ZeroPadding2D: padding must be amounts {top, bottom, left, right}, "
        "not 'same'");
  pads_ = resolve_padding(options.padding, {1, 1}, {1, 1}, {1, 1});
  if (pads_.top < 0 || pads_.bottom < 0 || pads_.left < 0 || pads_.right < 0)
    throw std::invalid_argument("ZeroPadding2D: padding amounts must be >= 0");
}

Shape ZeroPadding2D::output_shape(const Shape& in) const {
  if (in.rank() != 3) shape_error(in, "[C, H, W]");
  return {in[0], in[1] + pads_.top + pads_.bottom, in[2] + pads_.left + pads_.right};
}

Tensor ZeroPadding2D::forward(const Tensor& x, Mode mode) {
  const Shape out = output_shape(sample_shape(x, 4, "[N, C, H, W]"));
  Tensor y(out.with_batch(x.dim(0)));
  kernels::zero_pad2d_forward(pad_geom(x.shape(), pads_), x.data(), y.data());
  if (mode == Mode::train) x_shape_ = x.shape();
  return y;
}

Tensor ZeroPadding2D::backward(const Tensor& dy) {
  if (x_shape_.rank() != 4)
    throw std::logic_error(name() + " (ZeroPadding2D): backward without a training forward");
  const Shape out = output_shape(x_shape_.without_batch()).with_batch(x_shape_[0]);
  if (dy.shape() != out)
    throw ShapeError(name() + " (ZeroPadding2D): backward received gradient of shape " +
                     dy.shape().str() + ", expected " + out.str());
  Tensor dx(x_shape_);
  kernels::zero_pad2d_backward(pad_geom(x_shape_, pads_), dy.data(), dx.data());
  return dx;
}

Config ZeroPadding2D::config() const {
  Config c;
  c.set("padding", std::vector<int64_t>{pads_.top, pads_.bottom, pads_.left, pads_.right});
  return c;
}

std::unique_ptr<Layer> ZeroPadding2D::from_config(const Config& c) {
  const auto v = c.get_ints("padding", {1, 1, 1, 1});
  if (v.size() != 4)
    throw std::invalid_argument(
        "ZeroPadding2D: config key 'padding' needs [top, bottom, left, right]");
  return std::make_unique<ZeroPadding2D>(ZeroPadding2DOptions{.padding = {v[0], v[1], v[2], v[3]}});
}

}  // namespace convnet
