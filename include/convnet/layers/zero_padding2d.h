// ZeroPadding2D: a border of zeros around each feature map (Keras' ZeroPadding2D, PyTorch's
// nn.ZeroPad2d / F.pad). Keras' MobileNet pads ((0, 1), (0, 1)) before each strided depthwise
// convolution: ZeroPadding2D({.padding = {0, 1, 0, 1}}).
//
//   forward:  y[c, PT + i, PL + j] = x[c, i, j], zeros elsewhere
//   backward: dx[c, i, j] = dy[c, PT + i, PL + j]   (the gradient of the zeros is dropped)
//
// [C, H, W] -> [C, H + top + bottom, W + left + right]. No parameters.
#pragma once

#include "convnet/layer.h"
#include "convnet/padding.h"

namespace convnet {

struct ZeroPadding2DOptions {
  // Written as 1 (one on every side, Keras' default) or {top, bottom, left, right}; amounts >= 0.
  // Padding::valid means none; Padding::same is refused (it depends on a window size).
  Padding padding = 1;
};

class ZeroPadding2D : public Layer {
 public:
  explicit ZeroPadding2D(ZeroPadding2DOptions options = {});
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "ZeroPadding2D"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  Config config() const override;
  // A window of 1 that shifts by the top/left padding: the receptive field is unchanged.
  Window window() const override {
    return {.kernel = 1, .stride = 1, .pad_top = pads_.top, .pad_left = pads_.left};
  }

  // The amounts on each side.
  const Pads& pads() const { return pads_; }

 private:
  Pads pads_;
  Shape x_shape_;
};

}  // namespace convnet
