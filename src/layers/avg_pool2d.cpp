#include "convnet/layers/pooling.h"
#include "kernels/pool2d.h"
#include "layers/geometry.h"

namespace convnet {

std::unique_ptr<Layer> AvgPool2D::from_config(const Config& c) {
  return std::make_unique<AvgPool2D>(options_from(c));
}

Tensor AvgPool2D::forward(const Tensor& x, Mode mode) {
  const Shape in = sample_shape(x, 4, "[N, C, H, W]");
  const Shape out = output_shape(in);
  const auto g = pool_geom(x.dim(0), in, out, opt_.pool, opt_.stride, opt_.padding);
  Tensor y = Tensor::uninitialized(out.with_batch(x.dim(0)));
  kernels::avg_pool2d_forward(g, opt_.count_include_pad, x.data(), y.data());
  if (mode == Mode::train) x_shape_ = x.shape();
  return y;
}

Tensor AvgPool2D::backward(const Tensor& dy) {
  if (x_shape_.rank() != 4) throw std::logic_error(name() + " (AvgPool2D): backward without forward");
  const Shape in = x_shape_.without_batch();
  const auto g = pool_geom(x_shape_[0], in, dy.shape().without_batch(), opt_.pool, opt_.stride,
                           opt_.padding);
  Tensor dx = Tensor::uninitialized(x_shape_);
  kernels::avg_pool2d_backward(g, opt_.count_include_pad, dy.data(), dx.data());
  return dx;
}

}  // namespace convnet
