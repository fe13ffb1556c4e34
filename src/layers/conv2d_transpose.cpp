#include "convnet/layers/conv2d_transpose.h"

#include <algorithm>

#include "convnet/init.h"
#include "kernels/bias.h"
#include "kernels/conv2d.h"
#include "layers/fused_activation.h"
#include "layers/geometry.h"

namespace convnet {
namespace {

bool positive(Size2 s) {
  return s.h >= 1 && s.w >= 1;
}

// The transposed output size along one axis (see the header).
int64_t transposed_size(int64_t in, int64_t kernel_eff, int64_t stride, int64_t output_padding,
                        bool same, int64_t crop) {
  if (same) return in * stride;
  return (in - 1) * stride + kernel_eff + output_padding - crop;
}

}  // namespace

Conv2DTranspose::Conv2DTranspose(Conv2DTransposeOptions options) : opt_(options) {
  const auto& o = opt_;
  if (o.filters < 1 || !positive(o.kernel) || !positive(o.stride) || !positive(o.dilation) ||
      o.groups < 1)
    throw std::invalid_argument(
        "Conv2DTranspose: filters, kernel, stride, dilation and groups must be >= 1");
  if (o.filters % o.groups != 0)
    throw std::invalid_argument("Conv2DTranspose: filters (" + std::to_string(o.filters) +
                                ") must be divisible by groups (" + std::to_string(o.groups) + ")");
  const Padding& p = o.padding;
  if (p.mode == PaddingMode::explicit_ && (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0))
    throw std::invalid_argument("Conv2DTranspose: explicit padding must be >= 0");
  if (o.output_padding.h < 0 || o.output_padding.w < 0 ||
      o.output_padding.h >= std::max(o.stride.h, o.dilation.h) ||
      o.output_padding.w >= std::max(o.stride.w, o.dilation.w))
    throw std::invalid_argument(
        "Conv2DTranspose: output_padding must be >= 0 and smaller than stride or dilation");
  if (p.mode == PaddingMode::same && !(o.output_padding == Size2(0)))
    throw std::invalid_argument(
        "Conv2DTranspose: padding 'same' fixes the output at input * stride; output_padding must "
        "be 0");
}

Shape Conv2DTranspose::output_shape(const Shape& in) const {
  if (in.rank() != 3) shape_error(in, "[C, H, W]");
  if (in[0] % opt_.groups != 0)
    shape_error(in, "[C, H, W] with C divisible by groups = " + std::to_string(opt_.groups));
  const Padding& p = opt_.padding;
  const bool same = p.mode == PaddingMode::same, crop = p.mode == PaddingMode::explicit_;
  const int64_t oh = transposed_size(in[1], dilated(opt_.kernel.h, opt_.dilation.h), opt_.stride.h,
                                     opt_.output_padding.h, same, crop ? p.top + p.bottom : 0);
  const int64_t ow = transposed_size(in[2], dilated(opt_.kernel.w, opt_.dilation.w), opt_.stride.w,
                                     opt_.output_padding.w, same, crop ? p.left + p.right : 0);
  if (oh < 1 || ow < 1)
    shape_error(in, "[C, H, W] whose output keeps at least 1x1 after cropping padding " +
                        std::to_string(p.top) + "+" + std::to_string(p.bottom) + " x " +
                        std::to_string(p.left) + "+" + std::to_string(p.right) + " (got " +
                        std::to_string(oh) + "x" + std::to_string(ow) + ")");
  return {opt_.filters, oh, ow};
}

void Conv2DTranspose::allocate(const Shape& in) {
  weight_ = Tensor({in[0], opt_.filters / opt_.groups, opt_.kernel.h, opt_.kernel.w});
  dweight_ = Tensor(weight_.shape());
  if (opt_.use_bias) {
    bias_ = Tensor({opt_.filters});
    dbias_ = Tensor({opt_.filters});
  }
}

void Conv2DTranspose::reset_parameters(Rng& rng) {
  const int64_t taps = opt_.kernel.h * opt_.kernel.w;
  const int64_t fan_in = weight_.dim(1) * taps, fan_out = weight_.dim(0) / opt_.groups * taps;
  if (FusedActivation{opt_.activation}.relu_like())
    he_normal(weight_, fan_in, rng);
  else
    glorot_uniform(weight_, fan_in, fan_out, rng);
  bias_.zero();
}

// The kernels' geometry is that of the Conv2D this layer is the transpose of: its input is our
// output and its output our input, so 'same' resolves its padding on our output size.
Tensor Conv2DTranspose::forward(const Tensor& x, Mode mode) {
  const Shape in = sample_shape(x, 4, "[N, C, H, W]");
  const Shape out = output_shape(in);
  if (in[0] != weight_.dim(0))
    shape_error(in, "[" + std::to_string(weight_.dim(0)) + ", H, W] (as built)");
  const int64_t N = x.dim(0);
  const kernels::ConvGeom g = conv_geom(N, out, in, opt_);
  Tensor y(out.with_batch(N));
  kernels::conv2d_backward_data(g, x.data(), weight_.data(), y.data());
  if (opt_.use_bias) kernels::bias_forward(N, out[0], out[1] * out[2], bias_.data(), y.data());
  FusedActivation{opt_.activation, opt_.activation_alpha}.forward(y);
  if (mode == Mode::train) {
    x_ = x;
    y_ = y;
  }
  return y;
}

Tensor Conv2DTranspose::backward(const Tensor& dy) {
  if (opt_.activation == Activation::linear) return backward_affine(dy);
  if (y_.empty())
    throw std::logic_error(name() + " (Conv2DTranspose): backward without a training forward");
  Tensor dz = dy.clone();
  FusedActivation{opt_.activation, opt_.activation_alpha}.backward(y_, dz);
  return backward_affine(dz);
}

Tensor Conv2DTranspose::backward_from_logits(const Tensor& dlogits) {
  if (!ends_in_softmax()) return Layer::backward_from_logits(dlogits);
  return backward_affine(dlogits);
}

Tensor Conv2DTranspose::backward_affine(const Tensor& dz) {
  if (x_.empty())
    throw std::logic_error(name() + " (Conv2DTranspose): backward without a training forward");
  const Shape in = x_.shape().without_batch(), out = y_.shape().without_batch();
  const int64_t N = x_.dim(0);
  const kernels::ConvGeom g = conv_geom(N, out, in, opt_);
  // The weight gradient of the underlying Conv2D with the roles of its src and dst swapped.
  kernels::conv2d_backward_weights(g, dz.data(), x_.data(), dweight_.data(), nullptr);
  if (opt_.use_bias) kernels::bias_backward(N, out[0], out[1] * out[2], dz.data(), dbias_.data());
  Tensor dx(x_.shape());
  kernels::conv2d_forward(g, dz.data(), weight_.data(), nullptr, dx.data());
  return dx;
}

int64_t Conv2DTranspose::macs() const {
  return input_shape().numel() * weight_.dim(1) * opt_.kernel.h * opt_.kernel.w;
}

Layer::Window Conv2DTranspose::window() const {
  auto reach = [](int64_t kernel_eff, int64_t stride) { return (kernel_eff + stride - 1) / stride; };
  return {.kernel = {reach(dilated(opt_.kernel.h, opt_.dilation.h), opt_.stride.h),
                     reach(dilated(opt_.kernel.w, opt_.dilation.w), opt_.stride.w)},
          .upsample = opt_.stride};
}

std::vector<Param> Conv2DTranspose::params() {
  return weight_and_bias(weight_, dweight_, bias_, dbias_, opt_.use_bias);
}

Config Conv2DTranspose::config() const {
  Config c;
  c.set("filters", opt_.filters).set("use_bias", opt_.use_bias).set("groups", opt_.groups);
  FusedActivation{opt_.activation, opt_.activation_alpha}.put_config(c);
  c.set("output_padding", std::vector<int64_t>{opt_.output_padding.h, opt_.output_padding.w});
  put_window_config(c, opt_.kernel, opt_.stride, opt_.padding, opt_.dilation);
  return c;
}

std::unique_ptr<Layer> Conv2DTranspose::from_config(const Config& c) {
  Conv2DTransposeOptions o;
  o.filters = c.get_int("filters");
  get_window_config(c, o.kernel, o.stride, o.padding, o.dilation);
  const auto op = c.get_ints("output_padding", {0, 0});
  if (op.size() != 2) throw std::invalid_argument("config key 'output_padding' needs [h, w]");
  o.output_padding = {op[0], op[1]};
  o.groups = c.get_int("groups", 1);
  o.use_bias = c.get_bool("use_bias", true);
  const FusedActivation act = FusedActivation::from_config(c);
  o.activation = act.kind;
  o.activation_alpha = act.alpha;
  return std::make_unique<Conv2DTranspose>(o);
}

}  // namespace convnet
