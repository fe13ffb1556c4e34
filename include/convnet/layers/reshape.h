// Reshape: one sample to `target_shape` (one entry may be -1: inferred), same elements in the same
// order; e.g. [1024] -> [1024, 1, 1] before a 1x1 convolution head (Keras' MobileNet).
#pragma once

#include <vector>

#include "convnet/layer.h"

namespace convnet {

struct ReshapeOptions {
  std::vector<int64_t> target_shape;  // per sample, without the batch dimension
};

class Reshape : public Layer {
 public:
  explicit Reshape(ReshapeOptions options);
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "Reshape"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  Config config() const override;

 private:
  ReshapeOptions opt_;
  Shape x_shape_;
};

}  // namespace convnet
