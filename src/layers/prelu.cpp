#include "convnet/layers/prelu.h"

#include "kernels/prelu.h"

namespace convnet {
namespace {

// x viewed as [N, C, P], C = 1 when the slope is shared.
struct PReLUView {
  int64_t N, C, P;
};
PReLUView prelu_view(const Tensor& x, bool shared) {
  const int64_t N = x.dim(0), C = shared ? 1 : x.dim(1);
  return {N, C, x.numel() / (N * C)};
}

}  // namespace

PReLU::PReLU(PReLUOptions options) : opt_(options) {}

Shape PReLU::output_shape(const Shape& in) const {
  if (in.rank() == 0) shape_error(in, "[C, ...] (rank >= 1)");
  if (!weight_.empty() && !opt_.shared && in[0] != weight_.dim(0))
    shape_error(in, "[" + std::to_string(weight_.dim(0)) + ", ...] (as built)");
  return in;
}

void PReLU::allocate(const Shape& in) {
  weight_ = Tensor({opt_.shared ? 1 : in[0]});
  dweight_ = Tensor(weight_.shape());
}

void PReLU::reset_parameters(Rng&) { weight_.fill(opt_.init); }

Tensor PReLU::forward(const Tensor& x, Mode mode) {
  if (weight_.empty()) throw std::logic_error(name() + " (PReLU): forward before build");
  output_shape(sample_shape(x, x.rank() < 2 ? 2 : x.rank(), "[N, C, ...]"));
  const PReLUView v = prelu_view(x, opt_.shared);
  Tensor y(x.shape());
  kernels::prelu_forward(v.N, v.C, v.P, x.data(), weight_.data(), y.data());
  if (mode == Mode::train) x_ = x;
  return y;
}

Tensor PReLU::backward(const Tensor& dy) {
  if (x_.empty()) throw std::logic_error(name() + " (PReLU): backward without a training forward");
  const PReLUView v = prelu_view(x_, opt_.shared);
  Tensor dx(x_.shape());
  kernels::prelu_backward(v.N, v.C, v.P, x_.data(), weight_.data(), dy.data(), dx.data(),
                          dweight_.data());
  return dx;
}

std::vector<Param> PReLU::params() { return {{"weight", &weight_, &dweight_}}; }

Config PReLU::config() const {
  return Config().set("shared", opt_.shared).set("init", double(opt_.init));
}

std::unique_ptr<Layer> PReLU::from_config(const Config& c) {
  return std::make_unique<PReLU>(PReLUOptions{.shared = c.get_bool("shared", false),
                                              .init = float(c.get_float("init", 0.25))});
}

}  // namespace convnet
