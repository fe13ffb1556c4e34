// GlobalAvgPool2D and GlobalMaxPool2D: one value per channel, [C, H, W] -> [C] (or [C, 1, 1]
// with keepdims), so that a classifier head works for any input size (the lecture's GAP).
//
//   avg: y[c] = mean_{h,w} x[c, h, w];  dx[c, h, w] = dy[c] / (H * W)
//   max: y[c] = max_{h,w} x[c, h, w];   dx = dy[c] at the argmax, 0 elsewhere
#pragma once

#include <cstdint>
#include <vector>

#include "convnet/layer.h"

namespace convnet {

struct GlobalPool2DOptions {
  bool keepdims = false;  // output [C, 1, 1] instead of [C]
};

class GlobalPool2D : public Layer {
 public:
  GlobalPool2D(bool is_max, GlobalPool2DOptions options) : max_(is_max), opt_(options) {}
  std::string type() const override { return max_ ? "GlobalMaxPool2D" : "GlobalAvgPool2D"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  Config config() const override;
  Window window() const override { return {{input_shape()[1], input_shape()[2]}, 1, 0, 0}; }

 private:
  bool max_;
  GlobalPool2DOptions opt_;
  Shape x_shape_;
  std::vector<int64_t> argmax_;
};

struct GlobalAvgPool2D : GlobalPool2D {
  explicit GlobalAvgPool2D(GlobalPool2DOptions o = {}) : GlobalPool2D(false, o) {}
};
struct GlobalMaxPool2D : GlobalPool2D {
  explicit GlobalMaxPool2D(GlobalPool2DOptions o = {}) : GlobalPool2D(true, o) {}
};

}  // namespace convnet
