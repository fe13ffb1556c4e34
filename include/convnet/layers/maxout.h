// Maxout (Goodfellow et al., 2013): the lecture's max(w1^T x + b1, w2^T x + b2), as a layer that
// takes the maximum over groups of `pieces` consecutive channels. Put it after a Dense or Conv2D
// with pieces * units outputs; that layer holds the w_i and b_i, Maxout has no parameters.
//
//   forward:  y[u, ...] = max_{i < k} x[u*k + i, ...]          (k = pieces)
//   backward: dx[u*k + i, ...] = dy[u, ...] if i is the piece that won the forward, else 0
//             (ties: the first piece wins, as PyTorch's max)
//
// Channel u*k + i is piece i of unit u: channels are grouped, not interleaved, as in TensorFlow
// Addons' Maxout (PyTorch: x.reshape(N, C / k, k, ...).max(dim=2)).
// Input [C, ...] with C divisible by k -> output [C / k, ...] (any rank >= 1: [F] or [C, H, W]).
#pragma once

#include <cstdint>
#include <vector>

#include "convnet/layer.h"

namespace convnet {

struct MaxoutOptions {
  int64_t pieces = 2;  // k, the linear pieces each unit takes the maximum of
};

class Maxout : public Layer {
 public:
  explicit Maxout(MaxoutOptions options = {});
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "Maxout"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  Config config() const override;

  const MaxoutOptions& options() const { return opt_; }

 private:
  MaxoutOptions opt_;
  Shape x_shape_;                // batch shape of the last training forward
  std::vector<int32_t> argmax_;  // its winning pieces, one per output element
};

}  // namespace convnet
