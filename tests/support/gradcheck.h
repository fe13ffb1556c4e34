// Finite-difference gradient checks (dlib's test_layer, tiny-dnn's gradient_check).
//
// For the loss L = sum_i y_i * r_i, y = forward(x) and r random N(0, 1), backward(r) gives dL/dx
// and accumulates dL/dparam; both are compared, element by element, with central differences
//   dL/dv ~ (L(v + h) - L(v - h)) / (2h)
// of every input element and every element of every learnable parameter, L summed in double. An
// element passes when |analytic - numeric| <= tolerance * scale + 2 eps_float max|y| max|r| / h
// for one of the steps h tried in turn (a larger step has less rounding noise, a smaller one sees
// less curvature), where scale is the largest |gradient| of that tensor and the second term is
// what the float forward pass's rounding leaves unresolved. Inputs must keep kinks (ReLU's 0, max pooling's ties)
// farther than the largest step: see op_registry.h's instantiate_for_gradcheck.
#pragma once

#include <gtest/gtest.h>

#include <vector>

#include "convnet/layer.h"
#include "convnet/model.h"
#include "convnet/random.h"

namespace convnet::test {

struct GradcheckOptions {
  std::vector<double> steps{1e-2, 3e-3, 1e-3};
  // An off-by-one index or a dropped term moves an element by O(scale); float rounding of the
  // forward pass moves the estimates by ~1e-5 * scale.
  double tolerance = 1e-3;
  int max_reported = 8;  // worst elements listed per tensor on failure
};

// Checks d/dx and d/dparam of a built layer at x ([N, input_shape...]); r is drawn from rng.
// On failure the message lists, per tensor, the worst elements as index, analytic, numeric.
::testing::AssertionResult gradcheck(Layer& layer, const Tensor& x, Rng& rng,
                                     const GradcheckOptions& options = {});
// The same through a whole model (every trainable parameter of every layer).
::testing::AssertionResult gradcheck(Model& model, const Tensor& x, Rng& rng,
                                     const GradcheckOptions& options = {});

}  // namespace convnet::test
