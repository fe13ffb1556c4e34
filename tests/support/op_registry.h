// One registry of op test cases (ggml's tests/test-backend-ops.cpp idea): random but reproducible
// configurations of every layer, together with the values a test should feed them. Finite-
// difference gradient checks, kernel-versus-reference checks, the PyTorch parity test and the
// benchmarks all draw from it, so a new layer gets every check by adding one generator here
// (test_op_registry.cpp fails until every type make_layer knows has one).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "convnet/config.h"
#include "convnet/layer.h"
#include "convnet/random.h"
#include "convnet/tensor.h"
#include "support/compare.h"

namespace convnet::test {

// How instantiate_for_gradcheck chooses values so that no kink lies within a finite-difference
// step (GradcheckOptions::steps, at most 1e-2) of any input or parameter.
enum class GradValues {
  normal,     // the op is smooth: any values
  lattice,    // Conv2D, Conv2DTranspose, Dense: inputs k/4, weights k/8, bias (2k+1)/64, |k| <= 4,
              // so that every pre-activation is an odd multiple of 1/64, at least 1/64 from the
              // kinks at 0 and 6
  distinct,   // max pooling, Maxout: all values distinct and 0.05 apart, so that no argmax changes
  off_kinks,  // activation layers, PReLU: inputs at least 0.05 from the kinks at 0 and 6
};

struct OpCase {
  std::string op;     // the layer type, as make_layer knows it ("Conv2D")
  std::string label;  // one line for failure messages: op, input shape, attributes
  Shape input;        // with the batch dimension
  Config attrs;       // the layer's config(): make_layer(op, attrs) rebuilds the same layer
  std::function<std::unique_ptr<Layer>()> make;  // constructs it from its options struct
  GradValues grad_values = GradValues::normal;
  // forward(x, Mode::train) draws random numbers (Dropout): two training forwards differ, so
  // finite differences, the repeat-forward contract check and PyTorch parity skip the case and
  // the layer's own statistical tests cover it.
  bool stochastic = false;
};

struct CaseOptions {
  int64_t max_batch = 3;
  int64_t max_input_numel = 400;  // N * (elements of one sample)
  // Only draw cases that instantiate_for_gradcheck can keep off every kink: a ReLU-like activation
  // fused into Conv2D/Dense then always comes with a bias (the lattice needs its half-step offset).
  bool gradcheck = false;
};

// The op types the registry covers.
std::vector<std::string> op_names();
// `count` configurations of `op`; the same seed gives the same cases. Case i of Conv2D,
// DepthwiseConv2D and the pooling layers forces feature i % k (stride, dilation, groups,
// asymmetric padding, ...) on, so that any count >= 9 covers them all; every fourth BatchNorm case
// is a frozen layer (running statistics, Keras' fine-tuning mode). Throws std::invalid_argument
// for an unknown op.
std::vector<OpCase> op_cases(const std::string& op, int count, uint64_t seed,
                             const CaseOptions& options = {});

// A case made concrete: the layer built on the case's input shape, and an input batch.
struct OpInstance {
  std::unique_ptr<Layer> layer;
  Tensor x;
};
// Learnable parameters N(0, 0.5^2), state buffers (running statistics) uniform in [0.5, 1.5],
// input N(0, 1) (activation layers N(0, 3^2), which reaches ReLU6's upper bound): generic values
// for forward/backward comparisons.
OpInstance instantiate(const OpCase& c, Rng& rng);
// Values chosen by c.grad_values (see above).
OpInstance instantiate_for_gradcheck(const OpCase& c, Rng& rng);

}  // namespace convnet::test
