// Optimizer: updates a model's trainable parameters from their gradients, one step() per batch.
//
//   auto params = model.params();
//   SGD opt(params, {.lr = 0.1, .momentum = 0.9});
//   for (const auto& [x, labels] : batches) {
//     opt.zero_grad();
//     loss.forward(model.forward(x, Mode::train), labels);
//     model.backward(loss.backward());
//     clip_grad_norm(params, 1.0);  // optional
//     opt.step();
//   }
//
// The update rules are torch.optim's, computed as PyTorch does on CPU (float32 tensors, the same
// operations in the same order, scalar factors in double and rounded to float), so one step
// matches torch to float rounding.
//
// Parameters without a gradient (state buffers such as BatchNorm's running mean) are never
// touched; the learnable ones are updated by step() whenever their layer is trainable() at that
// moment. Each parameter counts its own updates (PyTorch's state["step"]), so a layer unfrozen
// after some epochs starts its momentum and Adam's bias correction afresh, as a PyTorch parameter
// that had no gradient until then.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "convnet/config.h"
#include "convnet/model.h"

namespace convnet {

class Optimizer {
 public:
  // Keeps the parameters that have a gradient. Throws std::invalid_argument for a gradient whose
  // size differs from its parameter's.
  explicit Optimizer(std::vector<NamedParam> params);
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // "SGD", "Adam", "AdamW", "RMSprop": make_optimizer(type(), params, config()) rebuilds it.
  virtual std::string type() const = 0;
  // Hyper-parameters as constructed ("lr" is the base learning rate, not a scheduled one).
  virtual Config config() const;

  // One update of every param whose NamedParam::trainable() is true.
  void step();
  // Zeroes the gradients of all the optimizer's parameters.
  void zero_grad();

  // The learning rate of the next step() (schedules change it between steps).
  double lr() const { return lr_; }
  void set_lr(double lr);
  // step() calls so far.
  int64_t iterations() const { return iterations_; }
  void set_iterations(int64_t n);

  // Per-parameter state for checkpoints, named "<param name>.<slot>" with PyTorch's slot names
  // ("dense.weight.step", "conv2d.weight.momentum_buffer", "dense.bias.exp_avg"); "step" is a
  // one-element tensor counting that parameter's updates. The pointers stay valid for the
  // optimizer's life. Restoring = copying values into these tensors + set_iterations().
  virtual std::vector<std::pair<std::string, Tensor*>> state();
  // The learnable parameters (those with a gradient), in the order given.
  const std::vector<NamedParam>& params() const { return params_; }

 protected:
  // Declares a per-parameter buffer named `slot`, a zero tensor of each parameter's shape.
  // Constructors only; returns the slot's index for buffer().
  size_t add_buffer(const std::string& slot);
  Tensor& buffer(size_t slot, size_t param) { return buffers_[slot][param]; }
  // Updates parameter `param` (value from grad); `step` is its update count, 1 for the first.
  virtual void update(size_t param, Tensor& value, const Tensor& grad, int64_t step) = 0;

 private:
  std::vector<NamedParam> params_;
  std::vector<Tensor> steps_;  // [1] per parameter
  std::vector<std::string> slot_names_;
  std::vector<std::vector<Tensor>> buffers_;  // [slot][param]
  double lr_ = 0.0;
  int64_t iterations_ = 0;
};

// "sgd" | "adam" | "adamw" | "rmsprop" (any case, so type() works too), with the options' field
// names as config keys. Throws std::invalid_argument for an unknown name or key.
std::unique_ptr<Optimizer> make_optimizer(const std::string& name, std::vector<NamedParam> params,
                                          const Config& config = {});

// Scales the gradients of all trainable params so that their global L2 norm is at most max_norm,
// by max_norm / (norm + 1e-6) when the norm exceeds it; returns the norm before clipping (inf or
// NaN when a gradient is not finite). torch.nn.utils.clip_grad_norm_.
double clip_grad_norm(const std::vector<NamedParam>& params, double max_norm);

}  // namespace convnet
