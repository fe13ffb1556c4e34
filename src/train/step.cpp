#include "train/step.h"

#include <algorithm>

namespace convnet {
namespace {

bool is_cross_entropy(const Loss& loss) {
  return loss.name() == "softmax_cross_entropy" || loss.name() == "categorical_crossentropy";
}

float label_smoothing_of(const Loss& loss) {
  return float(loss.config().get_float("label_smoothing", 0.0));
}

}  // namespace

Tensor batch_target(const Batch& batch) {
  if (!batch.targets.empty()) return batch.targets;
  // Autoencoders reconstruct their input; denoising ones the input before the noise.
  if (batch.labels.empty()) return batch.clean_images.empty() ? batch.images : batch.clean_images;
  Tensor t({int64_t(batch.labels.size())});
  for (size_t i = 0; i < batch.labels.size(); ++i) t[int64_t(i)] = float(batch.labels[i]);
  return t;
}

double batch_loss(Model& model, Loss& loss, const Tensor& y, const Batch& batch, Tensor* grad,
                  bool* for_logits) {
  const Tensor target = batch_target(batch);
  // A softmax output with cross-entropy: the fused gradient (p - t) / N for the logits.
  if (is_cross_entropy(loss) && model.ends_in_softmax() &&
      (!batch.labels.empty() || !batch.targets.empty())) {
    if (for_logits) *for_logits = true;
    return cross_entropy_from_probs(y, target, label_smoothing_of(loss), grad);
  }
  if (for_logits) *for_logits = false;
  const double value = loss.forward(y, target);
  if (grad) *grad = loss.backward();
  return value;
}

int64_t count_top_k(const Tensor& y, const std::vector<int32_t>& labels, int64_t k) {
  if (y.rank() != 2 || labels.empty() || int64_t(labels.size()) != y.dim(0)) return -1;
  const int64_t N = y.dim(0), C = y.dim(1);
  int64_t correct = 0;
  for (int64_t n = 0; n < N; ++n) {
    const float* row = y.data() + n * C;
    const int32_t t = labels[size_t(n)];
    if (t < 0 || t >= C) continue;
    // The label is in the top k when fewer than k classes score strictly higher.
    int64_t higher = 0;
    for (int64_t c = 0; c < C; ++c) higher += row[c] > row[t];
    correct += higher < k;
  }
  return correct;
}

namespace {

// Training needs no gradient for the images: the model's first layers skip it during the step.
class NoInputGrad {
 public:
  explicit NoInputGrad(Model& m) : model_(m), before_(m.needs_input_grad()) {
    m.set_needs_input_grad(false);
  }
  NoInputGrad(const NoInputGrad&) = delete;
  NoInputGrad& operator=(const NoInputGrad&) = delete;
  ~NoInputGrad() { model_.set_needs_input_grad(before_); }

 private:
  Model& model_;
  bool before_;
};

}  // namespace

StepResult train_step(Model& model, Loss& loss, Optimizer& optimizer, const Batch& batch,
                      double clip_norm) {
  const NoInputGrad no_input_grad(model);
  optimizer.zero_grad();
  const Tensor y = model.forward(batch.images, Mode::train);
  StepResult r;
  Tensor grad;
  bool for_logits = false;
  r.loss = batch_loss(model, loss, y, batch, &grad, &for_logits);
  r.correct = count_top_k(y, batch.labels, 1);
  if (!std::isfinite(r.loss)) return r;  // the caller stops before the weights are touched
  if (for_logits)
    model.backward_from_logits(grad);
  else
    model.backward(grad);
  if (clip_norm > 0.0) clip_grad_norm(model.params(), clip_norm);
  optimizer.step();
  return r;
}

}  // namespace convnet
