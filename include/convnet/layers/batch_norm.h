// BatchNorm2D and BatchNorm1D (Keras' BatchNormalization, PyTorch's BatchNorm2d/BatchNorm1d):
// each channel (2D: over N, H, W) or feature (1D: over N, and L for [C, L] inputs) is normalized
// to zero mean and unit variance, then scaled and shifted by learned gamma and beta.
//
//   forward:  xhat = (x - mu) / sqrt(var + eps),  y = gamma * xhat + beta
//     Mode::train: mu, var = mean and biased variance of the batch (M = N*H*W values per channel);
//                  running_mean += momentum * (mu - running_mean),
//                  running_var  += momentum * (var * M / (M - 1) - running_var)
//                  (the running variance is unbiased, as PyTorch keeps it)
//     Mode::eval:  mu, var = running_mean, running_var (no update).
//   backward (train, through the batch statistics):
//             dx = gamma / sqrt(var + eps) * (dy - mean(dy) - xhat * mean(dy * xhat))
//   backward (after an eval forward, statistics constant):  dx = gamma / sqrt(var + eps) * dy
//   both:     dgamma += sum(dy * xhat),  dbeta += sum(dy)   (sums over the channel's M values)
//
// A frozen layer (set_trainable(false)) normalizes with the running statistics even in
// Mode::train and does not update them: Keras' rule for fine-tuning a pre-trained network.
//
// Shapes: BatchNorm2D [C, H, W] -> same; BatchNorm1D [F] or [C, L] -> same.
// Params (PyTorch's state_dict names): "weight" (gamma, [C]) and "bias" (beta, [C]) trainable when
// affine; "running_mean" and "running_var" ([C]) state buffers. 4 * C in total as Keras counts,
// 2 * C trainable. (PyTorch's integer num_batches_tracked buffer is not kept.)
#pragma once

#include "convnet/layer.h"

namespace convnet {

struct BatchNormOptions {
  // Weight of the new batch statistic in the running averages (PyTorch's convention, default
  // 0.1). Keras' momentum is the weight of the old value: Keras momentum=0.99 is momentum = 0.01.
  float momentum = 0.1f;
  float eps = 1e-5f;   // added to the variance (PyTorch's default; Keras' epsilon is 1e-3)
  bool affine = true;  // learn gamma and beta (Keras' scale and center)
};

// What both variants share; they differ in the input shapes they accept.
class BatchNorm : public Layer {
 public:
  // Keras' automatic name (its layer type is BatchNormalization).
  std::string default_name() const override { return "batch_normalization"; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  std::vector<Param> params() override;
  Config config() const override;
  // gamma = 1, beta = 0, running_mean = 0, running_var = 1.
  void reset_parameters(Rng& rng) override;

  const BatchNormOptions& options() const { return opt_; }
  Tensor& weight() { return gamma_; }
  Tensor& bias() { return beta_; }
  Tensor& running_mean() { return running_mean_; }
  Tensor& running_var() { return running_var_; }

 protected:
  explicit BatchNorm(BatchNormOptions options);
  static BatchNormOptions options_from(const Config& c);
  void allocate(const Shape& input) override;
  // The sample ranks this variant takes, and how to say so in errors.
  virtual bool accepts_rank(size_t rank) const = 0;
  virtual const char* expected_shape() const = 0;
  Shape checked_shape(const Shape& in) const;

 private:
  BatchNormOptions opt_;
  Tensor gamma_, beta_, dgamma_, dbeta_, running_mean_, running_var_;
  // Kept from the last forward for backward: its input, the statistics it used, and whether
  // they were the batch's own.
  Tensor x_, mean_, invstd_;
  bool batch_statistics_ = false;
};

class BatchNorm2D : public BatchNorm {
 public:
  explicit BatchNorm2D(BatchNormOptions options = {}) : BatchNorm(options) {}
  static std::unique_ptr<Layer> from_config(const Config& c);
  std::string type() const override { return "BatchNorm2D"; }
  Shape output_shape(const Shape& input) const override { return checked_shape(input); }

 protected:
  bool accepts_rank(size_t rank) const override { return rank == 3; }
  const char* expected_shape() const override { return "[C, H, W]"; }
};

class BatchNorm1D : public BatchNorm {
 public:
  explicit BatchNorm1D(BatchNormOptions options = {}) : BatchNorm(options) {}
  static std::unique_ptr<Layer> from_config(const Config& c);
  std::string type() const override { return "BatchNorm1D"; }
  Shape output_shape(const Shape& input) const override { return checked_shape(input); }

 protected:
  bool accepts_rank(size_t rank) const override { return rank == 1 || rank == 2; }
  const char* expected_shape() const override { return "[features] or [C, L]"; }
};

}  // namespace convnet
