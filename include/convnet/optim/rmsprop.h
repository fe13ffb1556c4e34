// RMSprop, torch.optim.RMSprop.
//
//   g = grad + weight_decay * w
//   s = alpha * s + (1 - alpha) * g^2                            (square_avg)
//   centered: a = alpha * a + (1 - alpha) * g, d = sqrt(s - a^2) + eps   (grad_avg)
//   else:     d = sqrt(s) + eps
//   momentum > 0: b = momentum * b + g / d, w = w - lr * b        (momentum_buffer)
//   else:         w = w - lr * g / d
#pragma once

#include "convnet/optim/optimizer.h"

namespace convnet {

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;        // decay of the squared gradient's running mean (Keras' rho)
  double eps = 1e-8;          // added to the denominator
  double momentum = 0.0;      // 0 disables the momentum buffer
  bool centered = false;      // normalize by the gradient's estimated variance instead
  double weight_decay = 0.0;  // L2 penalty added to the gradient
};

class RMSprop : public Optimizer {
 public:
  // Throws std::invalid_argument for negative values.
  explicit RMSprop(std::vector<NamedParam> params, RMSpropOptions options = {});
  std::string type() const override { return "RMSprop"; }
  Config config() const override;
  const RMSpropOptions& options() const { return opt_; }

 protected:
  void update(size_t param, Tensor& value, const Tensor& grad, int64_t step) override;

 private:
  RMSpropOptions opt_;
  size_t square_avg_ = 0, grad_avg_ = 0, momentum_buffer_ = 0;
};

}  // namespace convnet
