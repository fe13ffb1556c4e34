#include "convnet/optim/optimizer.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include "config_keys.h"
#include "convnet/optim/adam.h"
#include "convnet/optim/rmsprop.h"
#include "convnet/optim/sgd.h"
#include "kernels/optim.h"

namespace convnet {

Optimizer::Optimizer(std::vector<NamedParam> params) {
  for (NamedParam& p : params) {
    if (!p.param.grad) continue;  // a state buffer, not learnable
    if (!p.param.value || !p.layer || p.param.grad->numel() != p.param.value->numel())
      throw std::invalid_argument("optimizer: parameter '" + p.name +
                                  "' needs a value, a layer and a gradient of the value's size");
    params_.push_back(std::move(p));
    steps_.emplace_back(Shape{1});
  }
}

Config Optimizer::config() const {
  return Config().set("lr", lr_);
}

void Optimizer::step() {
  for (size_t i = 0; i < params_.size(); ++i) {
    if (!params_[i].trainable()) continue;
    const int64_t step = int64_t(steps_[i][0]) + 1;
    steps_[i][0] = float(step);
    update(i, *params_[i].param.value, *params_[i].param.grad, step);
  }
  ++iterations_;
}

void Optimizer::zero_grad() {
  for (NamedParam& p : params_) p.param.grad->zero();
}

void Optimizer::set_lr(double lr) {
  if (!(lr >= 0.0)) throw std::invalid_argument(type() + ": lr must be >= 0");
  lr_ = lr;
}

void Optimizer::set_iterations(int64_t n) {
  if (n < 0) throw std::invalid_argument(type() + ": iterations must be >= 0");
  iterations_ = n;
}

std::vector<std::pair<std::string, Tensor*>> Optimizer::state() {
  std::vector<std::pair<std::string, Tensor*>> out;
  for (size_t i = 0; i < params_.size(); ++i) {
    out.emplace_back(params_[i].name + ".step", &steps_[i]);
    for (size_t s = 0; s < slot_names_.size(); ++s)
      out.emplace_back(params_[i].name + "." + slot_names_[s], &buffers_[s][i]);
  }
  return out;
}

size_t Optimizer::add_buffer(const std::string& slot) {
  std::vector<Tensor> per_param;
  for (const NamedParam& p : params_) per_param.emplace_back(p.param.value->shape());
  slot_names_.push_back(slot);
  buffers_.push_back(std::move(per_param));
  return buffers_.size() - 1;
}

std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<NamedParam> params,
                                          const Config& c) {
  std::string key = name;
  std::transform(key.begin(), key.end(), key.begin(),
                 [](unsigned char ch) { return std::tolower(ch); });
  if (key == "sgd") {
    check_config_keys(c, {"lr", "momentum", "nesterov", "weight_decay", "dampening"}, "SGD");
    return std::make_unique<SGD>(std::move(params),
                                 SGDOptions{.lr = c.get_float("lr", 0.01),
                                            .momentum = c.get_float("momentum", 0.0),
                                            .nesterov = c.get_bool("nesterov", false),
                                            .weight_decay = c.get_float("weight_decay", 0.0),
                                            .dampening = c.get_float("dampening", 0.0)});
  }
  if (key == "adam" || key == "adamw") {
    check_config_keys(c, {"lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad"}, name);
    const double lr = c.get_float("lr", 1e-3), beta1 = c.get_float("beta1", 0.9),
                 beta2 = c.get_float("beta2", 0.999), eps = c.get_float("eps", 1e-8);
    const bool amsgrad = c.get_bool("amsgrad", false);
    if (key == "adam")
      return std::make_unique<Adam>(std::move(params),
                                    AdamOptions{.lr = lr,
                                                .beta1 = beta1,
                                                .beta2 = beta2,
                                                .eps = eps,
                                                .weight_decay = c.get_float("weight_decay", 0.0),
                                                .amsgrad = amsgrad});
    return std::make_unique<AdamW>(std::move(params),
                                   AdamWOptions{.lr = lr,
                                                .beta1 = beta1,
                                                .beta2 = beta2,
                                                .eps = eps,
                                                .weight_decay = c.get_float("weight_decay", 0.01),
                                                .amsgrad = amsgrad});
  }
  if (key == "rmsprop") {
    check_config_keys(c, {"lr", "alpha", "eps", "momentum", "centered", "weight_decay"}, "RMSprop");
    return std::make_unique<RMSprop>(
        std::move(params), RMSpropOptions{.lr = c.get_float("lr", 1e-2),
                                          .alpha = c.get_float("alpha", 0.99),
                                          .eps = c.get_float("eps", 1e-8),
                                          .momentum = c.get_float("momentum", 0.0),
                                          .centered = c.get_bool("centered", false),
                                          .weight_decay = c.get_float("weight_decay", 0.0)});
  }
  throw std::invalid_argument("unknown optimizer '" + name +
                              "' (known: sgd, adam, adamw, rmsprop)");
}

double clip_grad_norm(const std::vector<NamedParam>& params, double max_norm) {
  if (!(max_norm > 0.0)) throw std::invalid_argument("clip_grad_norm: max_norm must be > 0");
  double sum = 0.0;
  for (const NamedParam& p : params)
    if (p.trainable()) sum += kernels::sum_of_squares(p.param.grad->data(), p.param.grad->numel());
  const double norm = std::sqrt(sum);
  // PyTorch scales by min(1, max_norm / (norm + 1e-6)), a no-op below the limit (and, here, for
  // a NaN norm, which the caller sees in the result).
  const float factor = float(std::min(1.0, max_norm / (norm + 1e-6)));
  if (factor < 1.0f)
    for (const NamedParam& p : params)
      if (p.trainable()) kernels::scale(p.param.grad->data(), p.param.grad->numel(), factor);
  return norm;
}

}  // namespace convnet
