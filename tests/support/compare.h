// Comparing tensors in tests: one tolerance rule and one readable failure report, shared by the
// kernel, gradient and PyTorch parity checks.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "convnet/random.h"
#include "convnet/shape.h"
#include "convnet/tensor.h"

namespace convnet::test {

// "[0, 2, 1, 3]": the multi-index of flat element `flat` of a row-major tensor of `shape`.
std::string index_string(const Shape& shape, int64_t flat);

// Passes when max_i |got[i] - want[i]| <= rtol * scale, scale = the largest |value| of either
// array, so that the check is relative to the tensor's magnitude and an all-zero tensor must
// match exactly. On failure lists the worst elements as index, got, want.
::testing::AssertionResult all_close(const std::string& what, const Shape& shape, const float* got,
                                     const float* want, double rtol, int max_reported = 8);

// Random test data. n standard-normal values from rng (kernel tests on raw pointers); a tensor of
// normal values; a tensor of values uniform in [lo, hi) drawn from its own seed (images).
std::vector<float> random_vector(int64_t n, Rng& rng);
Tensor random_normal(const Shape& shape, Rng& rng, float stddev = 1.0f);
Tensor random_uniform(const Shape& shape, uint64_t seed, float lo = 0.0f, float hi = 1.0f);

}  // namespace convnet::test
