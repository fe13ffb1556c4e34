#include "convnet/layers/dense.h"

#include <algorithm>

#include "convnet/init.h"
#include "kernels/gemm.h"
#include "layers/fused_activation.h"

namespace convnet {

Dense::Dense(DenseOptions options) : opt_(options) {
  if (opt_.units < 1) throw std::invalid_argument("Dense: units must be >= 1");
}

Shape Dense::output_shape(const Shape& in) const {
  if (in.rank() != 1)
    shape_error(in, "[features] (a vector per sample: add a Flatten layer before Dense)");
  if (!weight_.empty() && in[0] != weight_.dim(1))
    shape_error(in, "[" + std::to_string(weight_.dim(1)) + "] (as built)");
  return {opt_.units};
}

void Dense::allocate(const Shape& in) {
  weight_ = Tensor({opt_.units, in[0]});
  dweight_ = Tensor(weight_.shape());
  if (opt_.use_bias) {
    bias_ = Tensor({opt_.units});
    dbias_ = Tensor({opt_.units});
  }
}

void Dense::reset_parameters(Rng& rng) {
  if (FusedActivation{opt_.activation}.relu_like())
    he_normal(weight_, weight_.dim(1), rng);
  else
    glorot_uniform(weight_, weight_.dim(1), opt_.units, rng);
  bias_.zero();
}

Tensor Dense::forward(const Tensor& x, Mode mode) {
  output_shape(sample_shape(x, 2, "[N, features]"));
  const int64_t N = x.dim(0), IN = x.dim(1), OUT = opt_.units;
  Tensor y({N, OUT});
  if (opt_.use_bias)
    for (int64_t n = 0; n < N; ++n) std::copy_n(bias_.data(), OUT, y.data() + n * OUT);
  // y[N, OUT] (+)= x[N, IN] * W^T[IN, OUT]
  kernels::gemm(false, true, N, OUT, IN, 1.0f, x.data(), IN, weight_.data(), IN,
                opt_.use_bias ? 1.0f : 0.0f, y.data(), OUT);
  FusedActivation{opt_.activation, opt_.activation_alpha}.forward(y);
  if (mode == Mode::train) {
    x_ = x;
    y_ = y;
  }
  return y;
}

Tensor Dense::backward(const Tensor& dy) {
  if (y_.empty()) throw std::logic_error(name() + " (Dense): backward without a training forward");
  if (opt_.activation == Activation::linear) return backward_affine(dy);
  Tensor dz = dy.clone();
  FusedActivation{opt_.activation, opt_.activation_alpha}.backward(y_, dz);
  return backward_affine(dz);
}

Tensor Dense::backward_from_logits(const Tensor& dlogits) {
  if (!ends_in_softmax()) return Layer::backward_from_logits(dlogits);
  return backward_affine(dlogits);
}

Tensor Dense::backward_affine(const Tensor& dyp) {
  if (x_.empty()) throw std::logic_error(name() + " (Dense): backward without a training forward");
  const int64_t N = x_.dim(0), IN = x_.dim(1), OUT = opt_.units;
  // dW[OUT, IN] += dy'^T[OUT, N] * x[N, IN]
  kernels::gemm(true, false, OUT, IN, N, 1.0f, dyp.data(), OUT, x_.data(), IN, 1.0f,
                dweight_.data(), IN);
  if (opt_.use_bias)
    for (int64_t n = 0; n < N; ++n)
      for (int64_t o = 0; o < OUT; ++o) dbias_[o] += dyp[n * OUT + o];
  if (!needs_input_grad()) return Tensor();
  // dx[N, IN] = dy'[N, OUT] * W[OUT, IN]
  Tensor dx({N, IN});
  kernels::gemm(false, false, N, IN, OUT, 1.0f, dyp.data(), OUT, weight_.data(), IN, 0.0f,
                dx.data(), IN);
  return dx;
}

std::vector<Param> Dense::params() {
  return weight_and_bias(weight_, dweight_, bias_, dbias_, opt_.use_bias);
}

Config Dense::config() const {
  Config c;
  c.set("units", opt_.units).set("use_bias", opt_.use_bias);
  FusedActivation{opt_.activation, opt_.activation_alpha}.put_config(c);
  return c;
}

std::unique_ptr<Layer> Dense::from_config(const Config& c) {
  const FusedActivation act = FusedActivation::from_config(c);
  return std::make_unique<Dense>(DenseOptions{.units = c.get_int("units"),
                                              .use_bias = c.get_bool("use_bias", true),
                                              .activation = act.kind,
                                              .activation_alpha = act.alpha});
}

}  // namespace convnet
