// LocalResponseNorm: each activation divided by a power of the energy of its neighbours across
// channels (AlexNet; VGG's configuration A-LRN). PyTorch's nn.LocalResponseNorm, same defaults:
//
//   forward:  s_c = k + alpha / size * sum_{c' = c - size/2}^{c + (size-1)/2} x_c'^2,
//             y_c = x_c * s_c^-beta      (channels outside [0, C) count as zero)
//   backward: dx_j = dy_j * s_j^-beta
//                    - 2 alpha beta / size * x_j * sum_{c : j in window(c)} dy_c y_c / s_c
//
// AlexNet's paper uses size 5, alpha 1e-4 (per element, i.e. alpha = 5e-4 here), beta 0.75, k 2.
// TensorFlow's tf.nn.local_response_normalization takes depth_radius = (size - 1) / 2, bias = k,
// and alpha per element (alpha / size here). Keras has no such layer.
//
// [C, H, W] (or [C, L]) -> same shape. No parameters.
#pragma once

#include "convnet/layer.h"

namespace convnet {

struct LocalResponseNormOptions {
  int64_t size = 5;     // channels in the window, the centre included
  float alpha = 1e-4f;  // multiplies the window's mean square (PyTorch divides alpha by size)
  float beta = 0.75f;   // exponent
  float k = 1.0f;       // additive constant
};

class LocalResponseNorm : public Layer {
 public:
  explicit LocalResponseNorm(LocalResponseNormOptions options = {});
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "LocalResponseNorm"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  Config config() const override;

  const LocalResponseNormOptions& options() const { return opt_; }

 private:
  LocalResponseNormOptions opt_;
  Tensor x_, y_, scale_;  // kept from the last training forward
};

}  // namespace convnet
