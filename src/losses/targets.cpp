#include "losses/targets.h"

#include <cmath>
#include <stdexcept>

namespace convnet::losses {

ClassBatch class_batch(const std::string& loss, const Tensor& y, const Tensor& target,
                       float label_smoothing) {
  if (y.rank() < 2 || y.empty())
    throw std::invalid_argument(loss + ": y must be [N, C] or [N, C, H, W] scores, got " +
                                y.shape().str());
  ClassBatch b;
  b.outer = y.dim(0);
  b.C = y.dim(1);
  b.inner = y.numel() / (b.outer * b.C);
  b.targets.smoothing = label_smoothing;
  if (target.shape() == y.shape()) {
    b.targets.probs = target.data();
    return b;
  }
  // Class indices: y's shape without the class axis, or with a class axis of 1.
  std::vector<int64_t> with_axis = y.shape().dims(), without_axis{y.dim(0)};
  with_axis[1] = 1;
  for (size_t k = 2; k < y.rank(); ++k) without_axis.push_back(y.dim(k));
  const Shape indices(without_axis);
  if (target.shape() != indices && target.shape() != Shape(with_axis))
    throw std::invalid_argument(loss + ": target " + target.shape().str() +
                                " is neither class indices " + indices.str() +
                                " nor distributions of y's shape " + y.shape().str());
  b.labels.resize(size_t(target.numel()));
  for (int64_t i = 0; i < target.numel(); ++i) {
    const float v = target[i];
    if (!(v >= 0.0f && v < float(b.C)) || v != std::floor(v))
      throw std::invalid_argument(loss + ": target[" + std::to_string(i) +
                                  "] = " + std::to_string(v) + " is not a class index in 0.." +
                                  std::to_string(b.C - 1));
    b.labels[size_t(i)] = int64_t(v);
  }
  b.targets.labels = b.labels.data();
  return b;
}

void check_elementwise_target(const std::string& loss, const Tensor& y, const Tensor& target) {
  if (y.empty() || target.numel() != y.numel() || target.rank() == 0 || y.rank() == 0 ||
      target.dim(0) != y.dim(0))
    throw std::invalid_argument(loss + ": target " + target.shape().str() +
                                " must have y's shape " + y.shape().str());
}

void check_label_smoothing(const std::string& loss, float eps) {
  if (!(eps >= 0.0f && eps <= 1.0f))
    throw std::invalid_argument(loss + ": label_smoothing must be in [0, 1], got " +
                                std::to_string(eps));
}

}  // namespace convnet::losses
