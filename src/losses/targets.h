// Target checks shared by the losses (internal).
#pragma once

#include <string>
#include <vector>

#include "convnet/tensor.h"
#include "kernels/loss.h"

namespace convnet::losses {

// Keras' epsilon: probabilities are clipped to [eps, 1 - eps] before their logarithm.
inline constexpr float kProbabilityEpsilon = 1e-7f;

// A class loss's view of y [N, C, ...] as [outer, C, inner] and of its target.
struct ClassBatch {
  int64_t outer = 0, C = 0, inner = 0;
  std::vector<int64_t> labels;  // decoded class indices, when the target holds indices
  kernels::ClassTargets targets;
  // Positions the mean runs over: N, or N*H*W.
  int64_t count() const { return outer * inner; }
};

// Reads the target of a class loss (see loss.h) against y; throws std::invalid_argument naming
// `loss` for a y of rank < 2, a target of another shape, or an index outside 0 .. C-1.
ClassBatch class_batch(const std::string& loss, const Tensor& y, const Tensor& target,
                       float label_smoothing);

// Checks an element-wise target: y's element count and batch size.
void check_elementwise_target(const std::string& loss, const Tensor& y, const Tensor& target);

// Throws std::invalid_argument unless 0 <= eps <= 1.
void check_label_smoothing(const std::string& loss, float eps);

}  // namespace convnet::losses
