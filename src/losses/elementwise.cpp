// The element-wise losses: binary cross-entropy and mean squared error.
#include "convnet/loss.h"
#include "kernels/loss.h"
#include "losses/targets.h"

namespace convnet {

BinaryCrossEntropy::BinaryCrossEntropy(BinaryCrossEntropyOptions options) : opt_(options) {
  losses::check_label_smoothing(name(), opt_.label_smoothing);
}

Config BinaryCrossEntropy::config() const {
  return Config()
      .set("from_logits", opt_.from_logits)
      .set("label_smoothing", double(opt_.label_smoothing));
}

double BinaryCrossEntropy::forward(const Tensor& y, const Tensor& target) {
  losses::check_elementwise_target(name(), y, target);
  grad_ = Tensor(y.shape());
  const int64_t n = y.numel();
  const double scale = 1.0 / double(n);
  const double sum =
      opt_.from_logits
          ? kernels::binary_cross_entropy_with_logits(y.data(), target.data(), n,
                                                      opt_.label_smoothing, scale, grad_.data())
          : kernels::binary_cross_entropy(y.data(), target.data(), n, opt_.label_smoothing,
                                          losses::kProbabilityEpsilon, scale, grad_.data());
  return sum / double(n);
}

double MeanSquaredError::forward(const Tensor& y, const Tensor& target) {
  losses::check_elementwise_target(name(), y, target);
  grad_ = Tensor(y.shape());
  const int64_t n = y.numel();
  return kernels::squared_error(y.data(), target.data(), n, 1.0 / double(n), grad_.data()) /
         double(n);
}

}  // namespace convnet
