#include "convnet/optim/sgd.h"

#include <stdexcept>

#include "kernels/optim.h"

namespace convnet {

SGD::SGD(std::vector<NamedParam> params, SGDOptions options)
    : Optimizer(std::move(params)), opt_(options) {
  set_lr(opt_.lr);
  if (!(opt_.momentum >= 0.0) || !(opt_.weight_decay >= 0.0) || !(opt_.dampening >= 0.0))
    throw std::invalid_argument("SGD: momentum, weight_decay and dampening must be >= 0");
  if (opt_.nesterov && (opt_.momentum <= 0.0 || opt_.dampening != 0.0))
    throw std::invalid_argument("SGD: nesterov needs momentum > 0 and dampening 0");
  // PyTorch keeps a momentum buffer only when there is momentum.
  if (opt_.momentum != 0.0) momentum_slot_ = add_buffer("momentum_buffer");
}

Config SGD::config() const {
  return Config()
      .set("lr", opt_.lr)
      .set("momentum", opt_.momentum)
      .set("nesterov", opt_.nesterov)
      .set("weight_decay", opt_.weight_decay)
      .set("dampening", opt_.dampening);
}

void SGD::update(size_t param, Tensor& value, const Tensor& grad, int64_t step) {
  const kernels::SgdFactors f{.neg_lr = float(-lr()),
                              .momentum = float(opt_.momentum),
                              .one_minus_dampening = float(1.0 - opt_.dampening),
                              .weight_decay = float(opt_.weight_decay),
                              .nesterov = opt_.nesterov};
  float* momentum_buffer = opt_.momentum != 0.0 ? buffer(momentum_slot_, param).data() : nullptr;
  kernels::sgd_update(f, step == 1, grad.data(), value.data(), momentum_buffer, value.numel());
}

}  // namespace convnet
