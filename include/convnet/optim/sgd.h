// SGD: stochastic gradient descent with momentum, torch.optim.SGD.
//
//   g = grad + weight_decay * w
//   b = g on the first step, else momentum * b + (1 - dampening) * g       (when momentum != 0)
//   g = g + momentum * b  (nesterov)  or  g = b
//   w = w - lr * g
#pragma once

#include "convnet/optim/optimizer.h"

namespace convnet {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0.0;      // 0 disables the momentum buffer
  bool nesterov = false;      // Nesterov momentum (needs momentum > 0 and dampening 0)
  double weight_decay = 0.0;  // L2 penalty added to the gradient
  double dampening = 0.0;     // scales the gradient's share of the momentum buffer by 1 - dampening
};

class SGD : public Optimizer {
 public:
  // Throws std::invalid_argument for negative values or nesterov without momentum.
  explicit SGD(std::vector<NamedParam> params, SGDOptions options = {});
  std::string type() const override { return "SGD"; }
  Config config() const override;
  const SGDOptions& options() const { return opt_; }

 protected:
  void update(size_t param, Tensor& value, const Tensor& grad, int64_t step) override;

 private:
  SGDOptions opt_;
  size_t momentum_slot_ = 0;
};

}  // namespace convnet
