// Adam and AdamW, torch.optim.Adam / torch.optim.AdamW.
//
//   t = this parameter's step (1, 2, ...)
//   Adam:  g = grad + weight_decay * w          AdamW: g = grad, w = w * (1 - lr * weight_decay)
//   m = beta1 * m + (1 - beta1) * g                           (exp_avg)
//   v = beta2 * v + (1 - beta2) * g^2                         (exp_avg_sq)
//   v_max = max(v_max, v) and use it for v when amsgrad       (max_exp_avg_sq)
//   w = w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
#pragma once

#include "convnet/optim/optimizer.h"

namespace convnet {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;         // decay of the gradient's running mean
  double beta2 = 0.999;       // decay of the squared gradient's running mean
  double eps = 1e-8;          // added to the denominator
  double weight_decay = 0.0;  // L2 penalty added to the gradient
  bool amsgrad = false;       // normalize by the largest squared-gradient average so far
};

// AdamOptions with AdamW's default decoupled weight decay.
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.01;  // decoupled: w *= 1 - lr * weight_decay before the Adam step
  bool amsgrad = false;
};

class Adam : public Optimizer {
 public:
  // Throws std::invalid_argument for lr, eps or weight_decay < 0 or betas outside [0, 1).
  explicit Adam(std::vector<NamedParam> params, AdamOptions options = {});
  std::string type() const override { return "Adam"; }
  Config config() const override;
  const AdamOptions& options() const { return opt_; }

 protected:
  Adam(std::vector<NamedParam> params, AdamOptions options, bool decoupled_weight_decay);
  void update(size_t param, Tensor& value, const Tensor& grad, int64_t step) override;

 private:
  AdamOptions opt_;
  bool decoupled_;
  size_t exp_avg_ = 0, exp_avg_sq_ = 0, max_exp_avg_sq_ = 0;
};

class AdamW : public Adam {
 public:
  explicit AdamW(std::vector<NamedParam> params, AdamWOptions options = {});
  std::string type() const override { return "AdamW"; }
};

}  // namespace convnet
