// Learning-rate schedules: the learning rate as a function of the (fractional) epoch, with
// torch.optim.lr_scheduler's values at whole epochs. The trainer sets
// optimizer.set_lr(schedule.lr(epoch + batch / batches, base_lr)) before each step, or once per
// epoch for PyTorch's per-epoch stepping.
//
//   StepLR(step_size, gamma)          base * gamma^floor(epoch / step_size)
//   ExponentialLR(gamma)              base * gamma^epoch
//   CosineAnnealingLR(t_max, eta_min) eta_min + (base - eta_min) (1 + cos(pi epoch / t_max)) / 2
//                                     (past t_max it rises again, as PyTorch's)
//   LinearWarmup(w, after, start)     base * (start + (1 - start) epoch / w) for epoch < w, then
//                                     after(epoch - w) (or base without `after`): PyTorch's
//                                     SequentialLR([LinearLR(start_factor = start, total_iters =
//                                     w), after], milestones = [w])
#pragma once

#include <memory>
#include <string>

namespace convnet {

class LRSchedule {
 public:
  virtual ~LRSchedule() = default;
  virtual double lr(double epoch, double base_lr) const = 0;
  // The spec make_schedule() reads back, e.g. "step:10:0.1".
  virtual std::string name() const = 0;
};

class StepLR : public LRSchedule {
 public:
  StepLR(double step_size, double gamma = 0.1);
  double lr(double epoch, double base_lr) const override;
  std::string name() const override;

 private:
  double step_size_, gamma_;
};

class ExponentialLR : public LRSchedule {
 public:
  explicit ExponentialLR(double gamma);
  double lr(double epoch, double base_lr) const override;
  std::string name() const override;

 private:
  double gamma_;
};

class CosineAnnealingLR : public LRSchedule {
 public:
  explicit CosineAnnealingLR(double t_max, double eta_min = 0.0);
  double lr(double epoch, double base_lr) const override;
  std::string name() const override;

 private:
  double t_max_, eta_min_;
};

class LinearWarmup : public LRSchedule {
 public:
  // start_factor: PyTorch's LinearLR default, 1/3.
  LinearWarmup(double warmup_epochs, std::unique_ptr<LRSchedule> after = nullptr,
               double start_factor = 1.0 / 3.0);
  double lr(double epoch, double base_lr) const override;
  std::string name() const override;

 private:
  double warmup_epochs_;
  std::unique_ptr<LRSchedule> after_;
  double start_factor_;
};

// Parses "step:S[:GAMMA]" (gamma 0.1), "exp:GAMMA", "cosine:T_MAX[:ETA_MIN]",
// "warmup:EPOCHS[:START_FACTOR][,<one of the others>]", e.g. "warmup:2,cosine:20". Throws
// std::invalid_argument naming the spec and the expected forms.
std::unique_ptr<LRSchedule> make_schedule(const std::string& spec);

}  // namespace convnet
