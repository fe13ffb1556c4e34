// Loss: the training objective. forward() gives the mean loss of a batch for the model output y,
// backward() its gradient d(mean loss)/dy for model.backward().
//
//   SoftmaxCrossEntropy loss({.label_smoothing = 0.1f});
//   double value = loss.forward(model.forward(x, Mode::train), labels);
//   model.backward(loss.backward());
//
// Every loss is the mean over the batch, and over the pixels of per-pixel losses (Keras, and
// PyTorch's reduction = 'mean').
//
// Targets of the class losses (the cross-entropies over axis 1 of y [N, C] or [N, C, H, W]):
//   - class indices: a tensor of y's shape without the class axis ([N] or [N, H, W]; [N, 1, ...]
//     is accepted too) holding the float values 0 .. C-1;
//   - distributions: a tensor of y's shape, one-hot or probabilities over C.
// Label smoothing as PyTorch's CrossEntropyLoss(label_smoothing = eps): t' = (1 - eps) t + eps / C.
// The other losses take a target of y's shape (or of y's element count, same batch size).
#pragma once

#include <memory>
#include <string>

#include "convnet/config.h"
#include "convnet/tensor.h"

namespace convnet {

class Loss {
 public:
  virtual ~Loss() = default;
  // "softmax_cross_entropy", "categorical_crossentropy", "binary_crossentropy", "mse":
  // make_loss(name(), config()) rebuilds the loss.
  virtual std::string name() const = 0;
  virtual Config config() const { return {}; }
  // Mean loss over the batch for model output y; keeps the gradient for backward(). Throws
  // std::invalid_argument for a target that does not fit y.
  virtual double forward(const Tensor& y, const Tensor& target) = 0;
  // d(mean loss)/dy for the last forward, shape of y. Throws std::logic_error before a forward.
  virtual Tensor backward();

 protected:
  Tensor grad_;
};

struct CrossEntropyOptions {
  float label_smoothing = 0.0f;  // eps in [0, 1]: t' = (1 - eps) t + eps / C
};

// y = logits. loss = -sum_c t'_c log softmax(y)_c (a fused log-softmax, finite for any finite
// logits); dy = (softmax(y) * sum_c t'_c - t') / count, i.e. (softmax(y) - t') / count for
// targets that sum to one. count = N, or N*H*W for per-pixel logits (segmentation).
class SoftmaxCrossEntropy : public Loss {
 public:
  // Throws std::invalid_argument for label_smoothing outside [0, 1].
  explicit SoftmaxCrossEntropy(CrossEntropyOptions options = {});
  std::string name() const override { return "softmax_cross_entropy"; }
  Config config() const override;
  double forward(const Tensor& y, const Tensor& target) override;

 private:
  CrossEntropyOptions opt_;
};

// y = probabilities (a softmax output), as Keras' categorical_crossentropy: y is normalized over
// the classes and clipped to [1e-7, 1 - 1e-7], loss = -sum_c t'_c log y_c; dy is the exact
// gradient of that (zero where clipped).
class CategoricalCrossEntropy : public Loss {
 public:
  // Throws std::invalid_argument for label_smoothing outside [0, 1].
  explicit CategoricalCrossEntropy(CrossEntropyOptions options = {});
  std::string name() const override { return "categorical_crossentropy"; }
  Config config() const override;
  double forward(const Tensor& y, const Tensor& target) override;

 private:
  CrossEntropyOptions opt_;
};

struct BinaryCrossEntropyOptions {
  bool from_logits = true;       // y holds logits (else probabilities, clipped as Keras)
  float label_smoothing = 0.0f;  // eps: t' = (1 - eps) t + eps / 2 (Keras)
};

// Element-wise, targets in [0, 1]: loss = -(t' log s + (1 - t') log(1 - s)) with s = sigmoid(y)
// (from_logits, computed as max(y, 0) - y t' + log(1 + e^-|y|): PyTorch's BCEWithLogitsLoss) or
// s = clip(y, 1e-7, 1 - 1e-7). Mean over all elements.
class BinaryCrossEntropy : public Loss {
 public:
  // Throws std::invalid_argument for label_smoothing outside [0, 1].
  explicit BinaryCrossEntropy(BinaryCrossEntropyOptions options = {});
  std::string name() const override { return "binary_crossentropy"; }
  Config config() const override;
  double forward(const Tensor& y, const Tensor& target) override;

 private:
  BinaryCrossEntropyOptions opt_;
};

// loss = mean over all elements of (y - t)^2; dy = 2 (y - t) / numel.
class MeanSquaredError : public Loss {
 public:
  std::string name() const override { return "mse"; }
  double forward(const Tensor& y, const Tensor& target) override;
};

// For models whose last layer already applies softmax: the cross-entropy of probabilities
// p = softmax(logits) ([N, C] or [N, C, H, W]) against `target` (as above), and, when grad_logits
// is not null, the exact gradient for the *logits* that produced p, (p - t') / count, so that the
// trainer can bypass the softmax's backward. log p is floored at the smallest normal float.
double cross_entropy_from_probs(const Tensor& probs, const Tensor& target, float label_smoothing,
                                Tensor* grad_logits);

// "softmax_cross_entropy" | "categorical_crossentropy" | "binary_crossentropy" | "mse", with the
// options' names as config keys ("label_smoothing", "from_logits"). Throws std::invalid_argument
// for an unknown name or key.
std::unique_ptr<Loss> make_loss(const std::string& name, const Config& config = {});

}  // namespace convnet
