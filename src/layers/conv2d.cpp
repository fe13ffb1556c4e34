#include "convnet/layers/conv2d.h"

#include "convnet/init.h"
#include "kernels/conv2d.h"
#include "layers/fused_activation.h"
#include "layers/geometry.h"

namespace convnet {

Conv2D::Conv2D(Conv2DOptions options) : opt_(options) {
  if (opt_.filters < 1 || opt_.kernel.h < 1 || opt_.kernel.w < 1 || opt_.stride.h < 1 ||
      opt_.stride.w < 1 || opt_.dilation.h < 1 || opt_.dilation.w < 1 || opt_.groups < 1)
    throw std::invalid_argument("Conv2D: filters, kernel, stride, dilation and groups must be >= 1");
  if (opt_.filters % opt_.groups != 0)
    throw std::invalid_argument("Conv2D: filters (" + std::to_string(opt_.filters) +
                                ") must be divisible by groups (" + std::to_string(opt_.groups) + ")");
}

Shape Conv2D::output_shape(const Shape& in) const {
  if (in.rank() != 3) shape_error(in, "[C, H, W]");
  if (in[0] % opt_.groups != 0)
    shape_error(in, "[C, H, W] with C divisible by groups = " + std::to_string(opt_.groups));
  const auto g = window_geometry(in, opt_.kernel, opt_.stride, opt_.padding, opt_.dilation);
  if (!g) shape_error(in, window_requirement(in, opt_.kernel, opt_.padding, opt_.dilation));
  return {opt_.filters, g->oh, g->ow};
}

void Conv2D::allocate(const Shape& in) {
  weight_ = Tensor({opt_.filters, in[0] / opt_.groups, opt_.kernel.h, opt_.kernel.w});
  dweight_ = Tensor(weight_.shape());
  if (opt_.use_bias) {
    bias_ = Tensor({opt_.filters});
    dbias_ = Tensor({opt_.filters});
  }
}

void Conv2D::reset_parameters(Rng& rng) {
  const int64_t taps = opt_.kernel.h * opt_.kernel.w;
  const int64_t fan_in = weight_.dim(1) * taps, fan_out = opt_.filters / opt_.groups * taps;
  if (FusedActivation{opt_.activation}.relu_like())
    he_normal(weight_, fan_in, rng);
  else
    glorot_uniform(weight_, fan_in, fan_out, rng);
  bias_.zero();
}

Tensor Conv2D::forward(const Tensor& x, Mode mode) {
  const Shape in = sample_shape(x, 4, "[N, C, H, W]");
  const Shape out = output_shape(in);
  if (in[0] != weight_.dim(1) * opt_.groups)
    shape_error(in, "[" + std::to_string(weight_.dim(1) * opt_.groups) + ", H, W] (as built)");
  const kernels::ConvGeom g = conv_geom(x.dim(0), in, out, opt_);
  Tensor y = Tensor::uninitialized(out.with_batch(x.dim(0)));
  kernels::conv2d_forward(g, x.data(), weight_.data(), opt_.use_bias ? bias_.data() : nullptr,
                          y.data());
  FusedActivation{opt_.activation, opt_.activation_alpha}.forward(y);
  if (mode == Mode::train) {
    x_ = x;
    y_ = y;
  }
  return y;
}

Tensor Conv2D::backward(const Tensor& dy) {
  if (x_.empty()) throw std::logic_error(name() + " (Conv2D): backward without a training forward");
  if (opt_.activation == Activation::linear) return backward_affine(dy);
  Tensor dz = dy.clone();
  FusedActivation{opt_.activation, opt_.activation_alpha}.backward(y_, dz);
  return backward_affine(dz);
}

Tensor Conv2D::backward_from_logits(const Tensor& dlogits) {
  if (!ends_in_softmax()) return Layer::backward_from_logits(dlogits);
  return backward_affine(dlogits);
}

Tensor Conv2D::backward_affine(const Tensor& dyp) {
  if (x_.empty()) throw std::logic_error(name() + " (Conv2D): backward without a training forward");
  const kernels::ConvGeom g =
      conv_geom(x_.dim(0), x_.shape().without_batch(), y_.shape().without_batch(), opt_);
  kernels::conv2d_backward_weights(g, x_.data(), dyp.data(), dweight_.data(),
                                   opt_.use_bias ? dbias_.data() : nullptr);
  if (!needs_input_grad()) return Tensor();
  Tensor dx = Tensor::uninitialized(x_.shape());
  kernels::conv2d_backward_data(g, dyp.data(), weight_.data(), dx.data());
  return dx;
}

int64_t Conv2D::macs() const {
  return built_output_shape().numel() * weight_.dim(1) * opt_.kernel.h * opt_.kernel.w;
}

Layer::Window Conv2D::window() const {
  return sliding_window(input_shape(), opt_.kernel, opt_.stride, opt_.padding, opt_.dilation);
}

std::vector<Param> Conv2D::params() {
  return weight_and_bias(weight_, dweight_, bias_, dbias_, opt_.use_bias);
}

Config Conv2D::config() const {
  Config c;
  c.set("filters", opt_.filters).set("use_bias", opt_.use_bias).set("groups", opt_.groups);
  FusedActivation{opt_.activation, opt_.activation_alpha}.put_config(c);
  put_window_config(c, opt_.kernel, opt_.stride, opt_.padding, opt_.dilation);
  return c;
}

std::unique_ptr<Layer> Conv2D::from_config(const Config& c) {
  Conv2DOptions o;
  o.filters = c.get_int("filters");
  get_window_config(c, o.kernel, o.stride, o.padding, o.dilation);
  o.groups = c.get_int("groups", 1);
  o.use_bias = c.get_bool("use_bias", true);
  const FusedActivation act = FusedActivation::from_config(c);
  o.activation = act.kind;
  o.activation_alpha = act.alpha;
  return std::make_unique<Conv2D>(o);
}

}  // namespace convnet
