// MaxPool2D and AvgPool2D: a window slid over each channel separately, keeping its maximum or its
// mean. No parameters; [C, H, W] -> [C, H2, W2] with H2 as for a convolution.
//
//   max forward:  y = max over the window (ties: the first); backward: dy goes to the argmax tap
//   avg forward:  y = sum over the window / count; backward: each tap receives dy / count
//
// count excludes padding (Keras) unless count_include_pad (PyTorch's default) is set.
#pragma once

#include <cstdint>
#include <vector>

#include "convnet/layer.h"
#include "convnet/padding.h"

namespace convnet {

struct Pool2DOptions {
  Size2 pool = 2;                    // window height x width
  Size2 stride = 0;                  // 0: equal to the window (Keras' strides=None)
  Padding padding = Padding::valid;  // valid | same | explicit
  bool count_include_pad = false;    // AvgPool2D: divide by the full window, padding included
};

// What both pooling layers share: options, shape inference and config.
class Pool2D : public Layer {
 public:
  explicit Pool2D(Pool2DOptions options);
  Shape output_shape(const Shape& input) const override;
  Config config() const override;
  const Pool2DOptions& options() const { return opt_; }
  Window window() const override;

 protected:
  static Pool2DOptions options_from(const Config& c);
  Pool2DOptions opt_;
  Shape x_shape_;
};

class MaxPool2D : public Pool2D {
 public:
  explicit MaxPool2D(Pool2DOptions options = {}) : Pool2D(options) {}
  static std::unique_ptr<Layer> from_config(const Config& c);
  std::string type() const override { return "MaxPool2D"; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;

 private:
  std::vector<int32_t> argmax_;
};

class AvgPool2D : public Pool2D {
 public:
  explicit AvgPool2D(Pool2DOptions options = {}) : Pool2D(options) {}
  static std::unique_ptr<Layer> from_config(const Config& c);
  std::string type() const override { return "AvgPool2D"; }
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
};

}  // namespace convnet
