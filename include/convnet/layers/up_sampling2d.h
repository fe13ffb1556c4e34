// UpSampling2D: enlarges each feature map by integer factors, without parameters (Keras'
// UpSampling2D, PyTorch's nn.Upsample(scale_factor=...)).
//
//   nearest:  y[c, h, w] = x[c, h / S_h, w / S_w]            (each pixel repeated S_h x S_w times)
//             backward: dx[c, i, j] = sum of dy over the S_h x S_w block that copies x[c, i, j]
//   bilinear: y[c, h, w] = sum_{i, j} a(h, i) b(w, j) x[c, i, j], with a, b the linear
//             interpolation weights of the source point max((h + 0.5) / S_h - 0.5, 0) (likewise
//             for w), clamped at the last row/column: PyTorch's F.interpolate(mode='bilinear',
//             align_corners=False) and Keras'/TensorFlow's resize.
//             backward: dx[c, i, j] = sum_{h, w} a(h, i) b(w, j) dy[c, h, w]
//
// Input [C, H, W] -> output [C, H * S_h, W * S_w].
#pragma once

#include "convnet/layer.h"
#include "convnet/padding.h"

namespace convnet {

enum class Interpolation { nearest, bilinear };

struct UpSampling2DOptions {
  Size2 size = 2;                                        // S, the factors (>= 1)
  Interpolation interpolation = Interpolation::nearest;  // nearest | bilinear
};

class UpSampling2D : public Layer {
 public:
  explicit UpSampling2D(UpSampling2DOptions options = {});
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "UpSampling2D"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  Config config() const override;
  // For receptive fields: nearest reads 1 input unit, bilinear up to 2 per axis; outputs are S
  // times denser than inputs.
  Window window() const override;

  const UpSampling2DOptions& options() const { return opt_; }

 private:
  UpSampling2DOptions opt_;
  Shape x_shape_;  // batch shape of the last training forward
};

}  // namespace convnet
