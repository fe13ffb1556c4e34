// Flatten: [C, H, W] -> [C*H*W], in C, H, W order (as PyTorch's flatten of NCHW). No parameters;
// backward reshapes dy back to the input's shape.
#pragma once

#include "convnet/layer.h"

namespace convnet {

class Flatten : public Layer {
 public:
  Flatten() = default;
  static std::unique_ptr<Layer> from_config(const Config&) { return std::make_unique<Flatten>(); }

  std::string type() const override { return "Flatten"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;

 private:
  Shape x_shape_;
};

}  // namespace convnet
