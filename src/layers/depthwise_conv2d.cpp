#include "convnet/layers/depthwise_conv2d.h"

#include "convnet/init.h"
#include "kernels/depthwise_conv2d.h"
#include "layers/fused_activation.h"
#include "layers/geometry.h"

namespace convnet {
namespace {

kernels::ConvGeom depthwise_geom(int64_t batch, const Shape& in, const Shape& out,
                                 const DepthwiseConv2DOptions& o) {
  return conv_geom(batch, in, out, o.kernel, o.stride, o.padding, o.dilation, in[0]);
}

}  // namespace

DepthwiseConv2D::DepthwiseConv2D(DepthwiseConv2DOptions options) : opt_(options) {
  if (opt_.kernel.h < 1 || opt_.kernel.w < 1 || opt_.stride.h < 1 || opt_.stride.w < 1 ||
      opt_.dilation.h < 1 || opt_.dilation.w < 1 || opt_.depth_multiplier < 1)
    throw std::invalid_argument(
        "DepthwiseConv2D: kernel, stride, dilation and depth_multiplier must be >= 1");
}

Shape DepthwiseConv2D::output_shape(const Shape& in) const {
  if (in.rank() != 3) shape_error(in, "[C, H, W]");
  const auto g = window_geometry(in, opt_.kernel, opt_.stride, opt_.padding, opt_.dilation);
  if (!g) shape_error(in, window_requirement(in, opt_.kernel, opt_.padding, opt_.dilation));
  return {in[0] * opt_.depth_multiplier, g->oh, g->ow};
}

void DepthwiseConv2D::allocate(const Shape& in) {
  const int64_t oc = in[0] * opt_.depth_multiplier;
  weight_ = Tensor({oc, 1, opt_.kernel.h, opt_.kernel.w});
  dweight_ = Tensor(weight_.shape());
  if (opt_.use_bias) {
    bias_ = Tensor({oc});
    dbias_ = Tensor({oc});
  }
}

void DepthwiseConv2D::reset_parameters(Rng& rng) {
  // Each output sees one channel's taps; each input value feeds M filters' taps.
  const int64_t taps = opt_.kernel.h * opt_.kernel.w;
  if (FusedActivation{opt_.activation}.relu_like())
    he_normal(weight_, taps, rng);
  else
    glorot_uniform(weight_, taps, opt_.depth_multiplier * taps, rng);
  bias_.zero();
}

Tensor DepthwiseConv2D::forward(const Tensor& x, Mode mode) {
  const Shape in = sample_shape(x, 4, "[N, C, H, W]");
  const Shape out = output_shape(in);
  if (weight_.empty()) throw std::logic_error(name() + " (DepthwiseConv2D): forward before build");
  if (out[0] != weight_.dim(0))
    shape_error(
        in, "[" + std::to_string(weight_.dim(0) / opt_.depth_multiplier) + ", H, W] (as built)");
  Tensor y(out.with_batch(x.dim(0)));
  // Bias and activation in the kernel's output loop (softmax mixes channels: applied after).
  const bool softmax = opt_.activation == Activation::softmax;
  const kernels::Epilogue ep{.shift = opt_.use_bias ? bias_.data() : nullptr,
                             .act = softmax ? Activation::linear : opt_.activation,
                             .alpha = opt_.activation_alpha};
  kernels::depthwise_conv2d_forward(depthwise_geom(x.dim(0), in, out, opt_), x.data(),
                                    weight_.data(), ep, y.data());
  if (softmax) FusedActivation{opt_.activation, opt_.activation_alpha}.forward(y);
  if (mode == Mode::train) {
    x_ = x;
    y_ = y;
  }
  return y;
}

Tensor DepthwiseConv2D::backward(const Tensor& dy) {
  if (opt_.activation == Activation::linear) return backward_affine(dy);
  if (y_.empty())
    throw std::logic_error(name() + " (DepthwiseConv2D): backward without a training forward");
  Tensor dz = dy.clone();
  FusedActivation{opt_.activation, opt_.activation_alpha}.backward(y_, dz);
  return backward_affine(dz);
}

Tensor DepthwiseConv2D::backward_from_logits(const Tensor& dlogits) {
  if (!ends_in_softmax()) return Layer::backward_from_logits(dlogits);
  return backward_affine(dlogits);
}

Tensor DepthwiseConv2D::backward_affine(const Tensor& dz) {
  if (x_.empty())
    throw std::logic_error(name() + " (DepthwiseConv2D): backward without a training forward");
  const auto g =
      depthwise_geom(x_.dim(0), x_.shape().without_batch(), y_.shape().without_batch(), opt_);
  kernels::depthwise_conv2d_backward_weights(g, x_.data(), dz.data(), dweight_.data(),
                                             opt_.use_bias ? dbias_.data() : nullptr);
  Tensor dx(x_.shape());
  kernels::depthwise_conv2d_backward_data(g, dz.data(), weight_.data(), dx.data());
  return dx;
}

int64_t DepthwiseConv2D::macs() const {
  return built_output_shape().numel() * opt_.kernel.h * opt_.kernel.w;
}

Layer::Window DepthwiseConv2D::window() const {
  return sliding_window(input_shape(), opt_.kernel, opt_.stride, opt_.padding, opt_.dilation);
}

std::vector<Param> DepthwiseConv2D::params() {
  return weight_and_bias(weight_, dweight_, bias_, dbias_, opt_.use_bias);
}

Config DepthwiseConv2D::config() const {
  Config c;
  c.set("depth_multiplier", opt_.depth_multiplier).set("use_bias", opt_.use_bias);
  FusedActivation{opt_.activation, opt_.activation_alpha}.put_config(c);
  put_window_config(c, opt_.kernel, opt_.stride, opt_.padding, opt_.dilation);
  return c;
}

std::unique_ptr<Layer> DepthwiseConv2D::from_config(const Config& c) {
  DepthwiseConv2DOptions o;
  get_window_config(c, o.kernel, o.stride, o.padding, o.dilation);
  o.depth_multiplier = c.get_int("depth_multiplier", 1);
  o.use_bias = c.get_bool("use_bias", true);
  const FusedActivation act = FusedActivation::from_config(c);
  o.activation = act.kind;
  o.activation_alpha = act.alpha;
  return std::make_unique<DepthwiseConv2D>(o);
}

}  // namespace convnet
