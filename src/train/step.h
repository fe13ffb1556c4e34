// One optimization step on one batch, and the running totals of an epoch.
#pragma once

#include <cmath>

#include "convnet/train.h"

namespace convnet {

struct StepResult {
  double loss = 0.0;
  int64_t correct = -1;  // -1 when accuracy does not apply (no labels or no class scores)
};

// Forward (train mode), loss, backward, gradient clipping and the optimizer update.
StepResult train_step(Model& model, Loss& loss, Optimizer& optimizer, const Batch& batch,
                      double clip_norm);

// The loss of model outputs y for a batch and, when grad is non-null, the gradient to feed
// backward: for a softmax-ended model and a cross-entropy loss, the gradient for the logits
// (*for_logits is then set to true).
double batch_loss(Model& model, Loss& loss, const Tensor& y, const Batch& batch, Tensor* grad,
                  bool* for_logits);

// The batch's dense targets when it has them; else class targets [N] from labels, or the batch's
// own images for losses that compare outputs with inputs (autoencoders) when labels are absent.
Tensor batch_target(const Batch& batch);

// Correct top-k predictions among rows of y [N, C] (k = 1: accuracy); -1 if y is not [N, C] or
// there are no labels.
int64_t count_top_k(const Tensor& y, const std::vector<int32_t>& labels, int64_t k);

struct StepTotals {
  double loss_sum = 0.0;
  int64_t images = 0, correct = 0;
  bool has_accuracy = true;
  void add(const StepResult& r, int64_t n) {
    loss_sum += r.loss * double(n);
    images += n;
    if (r.correct < 0) has_accuracy = false;
    else correct += r.correct;
  }
  double mean_loss() const { return images ? loss_sum / double(images) : kNotMeasured; }
  double accuracy() const {
    return has_accuracy && images ? double(correct) / double(images) : kNotMeasured;
  }
};

}  // namespace convnet
