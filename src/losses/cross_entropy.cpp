// The cross-entropies over the class axis: from logits, from probabilities (Keras), and the
// softmax-bypassing form for models that end in a softmax.
#include <stdexcept>

#include "convnet/loss.h"
#include "kernels/loss.h"
#include "losses/targets.h"

namespace convnet {
namespace {

Config smoothing_config(float label_smoothing) {
  return Config().set("label_smoothing", double(label_smoothing));
}

}  // namespace

SoftmaxCrossEntropy::SoftmaxCrossEntropy(CrossEntropyOptions options) : opt_(options) {
  losses::check_label_smoothing(name(), opt_.label_smoothing);
}

Config SoftmaxCrossEntropy::config() const {
  return smoothing_config(opt_.label_smoothing);
}

double SoftmaxCrossEntropy::forward(const Tensor& y, const Tensor& target) {
  const losses::ClassBatch b = losses::class_batch(name(), y, target, opt_.label_smoothing);
  grad_ = Tensor(y.shape());
  const double sum = kernels::softmax_cross_entropy(y.data(), b.targets, b.outer, b.C, b.inner,
                                                    1.0 / double(b.count()), grad_.data());
  return sum / double(b.count());
}

CategoricalCrossEntropy::CategoricalCrossEntropy(CrossEntropyOptions options) : opt_(options) {
  losses::check_label_smoothing(name(), opt_.label_smoothing);
}

Config CategoricalCrossEntropy::config() const {
  return smoothing_config(opt_.label_smoothing);
}

double CategoricalCrossEntropy::forward(const Tensor& y, const Tensor& target) {
  const losses::ClassBatch b = losses::class_batch(name(), y, target, opt_.label_smoothing);
  grad_ = Tensor(y.shape());
  const double sum = kernels::categorical_cross_entropy(y.data(), b.targets, b.outer, b.C, b.inner,
                                                        losses::kProbabilityEpsilon,
                                                        1.0 / double(b.count()), grad_.data());
  return sum / double(b.count());
}

double cross_entropy_from_probs(const Tensor& probs, const Tensor& target, float label_smoothing,
                                Tensor* grad_logits) {
  const std::string who = "cross_entropy_from_probs";
  losses::check_label_smoothing(who, label_smoothing);
  const losses::ClassBatch b = losses::class_batch(who, probs, target, label_smoothing);
  float* dlogits = nullptr;
  if (grad_logits) {
    *grad_logits = Tensor(probs.shape());
    dlogits = grad_logits->data();
  }
  const double sum = kernels::cross_entropy_from_probs(probs.data(), b.targets, b.outer, b.C,
                                                       b.inner, 1.0 / double(b.count()), dlogits);
  return sum / double(b.count());
}

}  // namespace convnet
