#include "convnet/optim/adam.h"

#include <cmath>
#include <stdexcept>

#include "kernels/optim.h"

namespace convnet {

Adam::Adam(std::vector<NamedParam> params, AdamOptions options)
    : Adam(std::move(params), options, false) {}

Adam::Adam(std::vector<NamedParam> params, AdamOptions options, bool decoupled_weight_decay)
    : Optimizer(std::move(params)), opt_(options), decoupled_(decoupled_weight_decay) {
  set_lr(opt_.lr);
  const std::string who = decoupled_ ? "AdamW" : "Adam";
  if (!(opt_.eps >= 0.0) || !(opt_.weight_decay >= 0.0))
    throw std::invalid_argument(who + ": eps and weight_decay must be >= 0");
  if (!(opt_.beta1 >= 0.0 && opt_.beta1 < 1.0) || !(opt_.beta2 >= 0.0 && opt_.beta2 < 1.0))
    throw std::invalid_argument(who + ": beta1 and beta2 must be in [0, 1)");
  exp_avg_ = add_buffer("exp_avg");
  exp_avg_sq_ = add_buffer("exp_avg_sq");
  if (opt_.amsgrad) max_exp_avg_sq_ = add_buffer("max_exp_avg_sq");
}

AdamW::AdamW(std::vector<NamedParam> params, AdamWOptions o)
    : Adam(std::move(params),
           AdamOptions{.lr = o.lr,
                       .beta1 = o.beta1,
                       .beta2 = o.beta2,
                       .eps = o.eps,
                       .weight_decay = o.weight_decay,
                       .amsgrad = o.amsgrad},
           true) {}

Config Adam::config() const {
  return Config()
      .set("lr", opt_.lr)
      .set("beta1", opt_.beta1)
      .set("beta2", opt_.beta2)
      .set("eps", opt_.eps)
      .set("weight_decay", opt_.weight_decay)
      .set("amsgrad", opt_.amsgrad);
}

void Adam::update(size_t param, Tensor& value, const Tensor& grad, int64_t step) {
  // The scalars in double, as PyTorch's Python code computes them.
  const double t = double(step);
  const double bias_correction1 = 1.0 - std::pow(opt_.beta1, t);
  const double bias_correction2 = 1.0 - std::pow(opt_.beta2, t);
  const kernels::AdamFactors f{.beta1 = float(opt_.beta1),
                               .one_minus_beta1 = float(1.0 - opt_.beta1),
                               .beta2 = float(opt_.beta2),
                               .one_minus_beta2 = float(1.0 - opt_.beta2),
                               .weight_decay = decoupled_ ? 0.0f : float(opt_.weight_decay),
                               .decay = decoupled_ ? float(1.0 - lr() * opt_.weight_decay) : 1.0f,
                               .neg_step_size = float(-(lr() / bias_correction1)),
                               .bias_correction2_sqrt = float(std::sqrt(bias_correction2)),
                               .eps = float(opt_.eps)};
  float* max_exp_avg_sq = opt_.amsgrad ? buffer(max_exp_avg_sq_, param).data() : nullptr;
  kernels::adam_update(f, grad.data(), value.data(), buffer(exp_avg_, param).data(),
                       buffer(exp_avg_sq_, param).data(), max_exp_avg_sq, value.numel());
}

}  // namespace convnet
