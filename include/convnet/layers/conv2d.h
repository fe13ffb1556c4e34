// Conv2D: K learned filters slid over the input (the lecture's convolution layer).
//
//   forward:  y[n, k] = act(b[k] + sum_c W[k, c] (*) x[n, c])   ((*) = cross-correlation with
//             stride S, dilation D and zero padding P)
//   backward: dx = sum_k W[k]^T (*) dy'[n, k],  dW[k, c] += sum_n dy'[n, k] (*) x[n, c],
//             db[k] += sum_{n, h, w} dy'[n, k],  where dy' = dy * act'(.)
//
// Input [C, H, W] -> output [K, H2, W2], H2 = floor((H - F_eff + P_top + P_bottom) / S) + 1,
// F_eff = (F - 1) * D + 1. Weights [K, C / groups, F_h, F_w] (PyTorch's layout), bias [K]:
// (F_h * F_w * C / groups + 1) * K parameters, shared by every position of the output.
#pragma once

#include "convnet/activation.h"
#include "convnet/layer.h"
#include "convnet/padding.h"

namespace convnet {

struct Conv2DOptions {
  int64_t filters = 1;                    // K, the number of output channels (feature maps)
  Size2 kernel = 3;                       // F, kernel height x width
  Size2 stride = 1;                       // S
  Padding padding = Padding::valid;       // valid | same | explicit (top, bottom, left, right)
  Size2 dilation = 1;                     // D, spacing between kernel taps
  int64_t groups = 1;                     // channels split into independent groups
  bool use_bias = true;                   // add a learned bias per filter
  Activation activation = Activation::linear;  // applied to the output (Keras' activation=)
  float activation_alpha = 0.0f;          // slope/scale for leaky_relu and elu
};

class Conv2D : public Layer {
 public:
  explicit Conv2D(Conv2DOptions options);
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "Conv2D"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  bool ends_in_softmax() const override { return opt_.activation == Activation::softmax; }
  Tensor backward_from_logits(const Tensor& dlogits) override;
  int64_t macs() const override;
  Window window() const override;
  std::vector<Param> params() override;
  Config config() const override;
  void reset_parameters(Rng& rng) override;

  const Conv2DOptions& options() const { return opt_; }
  Tensor& weight() { return weight_; }
  Tensor& bias() { return bias_; }

 protected:
  void allocate(const Shape& input) override;

 private:
  Conv2DOptions opt_;
  Tensor weight_, bias_, dweight_, dbias_;
  // Backward through the affine part, for dz = dL/d(pre-activation output).
  Tensor backward_affine(const Tensor& dz);
  Tensor x_, y_;  // kept from the last training forward
};

}  // namespace convnet
