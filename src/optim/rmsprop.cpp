#include "convnet/optim/rmsprop.h"

#include <stdexcept>

#include "kernels/optim.h"

namespace convnet {

RMSprop::RMSprop(std::vector<NamedParam> params, RMSpropOptions options)
    : Optimizer(std::move(params)), opt_(options) {
  set_lr(opt_.lr);
  if (!(opt_.alpha >= 0.0) || !(opt_.eps >= 0.0) || !(opt_.momentum >= 0.0) ||
      !(opt_.weight_decay >= 0.0))
    throw std::invalid_argument("RMSprop: alpha, eps, momentum and weight_decay must be >= 0");
  square_avg_ = add_buffer("square_avg");
  if (opt_.momentum > 0.0) momentum_buffer_ = add_buffer("momentum_buffer");
  if (opt_.centered) grad_avg_ = add_buffer("grad_avg");
}

Config RMSprop::config() const {
  return Config()
      .set("lr", opt_.lr)
      .set("alpha", opt_.alpha)
      .set("eps", opt_.eps)
      .set("momentum", opt_.momentum)
      .set("centered", opt_.centered)
      .set("weight_decay", opt_.weight_decay);
}

void RMSprop::update(size_t param, Tensor& value, const Tensor& grad, int64_t) {
  const kernels::RmspropFactors f{.alpha = float(opt_.alpha),
                                  .one_minus_alpha = float(1.0 - opt_.alpha),
                                  .eps = float(opt_.eps),
                                  .neg_lr = float(-lr()),
                                  .momentum = float(opt_.momentum),
                                  .weight_decay = float(opt_.weight_decay)};
  float* grad_avg = opt_.centered ? buffer(grad_avg_, param).data() : nullptr;
  float* momentum_buffer = opt_.momentum > 0.0 ? buffer(momentum_buffer_, param).data() : nullptr;
  kernels::rmsprop_update(f, grad.data(), value.data(), buffer(square_avg_, param).data(), grad_avg,
                          momentum_buffer, value.numel());
}

}  // namespace convnet
