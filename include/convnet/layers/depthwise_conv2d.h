// DepthwiseConv2D: each input channel convolved with its own depth_multiplier filters, without
// mixing channels (Keras' DepthwiseConv2D; PyTorch's Conv2d with groups = in_channels). MobileNet
// follows it with a 1x1 Conv2D, the "pointwise" half of a depthwise-separable convolution.
//
//   forward:  y[n, c*M + m] = act(b[c*M + m] + W[c*M + m, 0] (*) x[n, c])   (M = depth_multiplier,
//             (*) = cross-correlation with stride S, dilation D and zero padding P)
//   backward: dy' = dy * act'(.),  dx[n, c] = sum_m W[c*M + m, 0]^T (*) dy'[n, c*M + m],
//             dW[c*M + m, 0] += sum_n dy'[n, c*M + m] (*) x[n, c],
//             db[k] += sum_{n, h, w} dy'[n, k]
//
// Input [C, H, W] -> output [C*M, H2, W2] with H2, W2 as for Conv2D. Weights [C*M, 1, F_h, F_w]
// (PyTorch's layout), bias [C*M]: (F_h * F_w + 1) * C * M parameters; MobileNet's 3x3 depthwise
// layers on 32 channels have use_bias = false and 288.
#pragma once

#include "convnet/activation.h"
#include "convnet/layer.h"
#include "convnet/padding.h"

namespace convnet {

struct DepthwiseConv2DOptions {
  Size2 kernel = 3;                            // F, kernel height x width
  Size2 stride = 1;                            // S
  Padding padding = Padding::valid;            // valid | same | explicit (top, bottom, left, right)
  Size2 dilation = 1;                          // D, spacing between kernel taps
  int64_t depth_multiplier = 1;                // M, output channels per input channel
  bool use_bias = true;                        // add a learned bias per output channel
  Activation activation = Activation::linear;  // applied to the output (Keras' activation=)
  float activation_alpha = 0.0f;               // slope/scale for leaky_relu and elu
};

class DepthwiseConv2D : public Layer {
 public:
  explicit DepthwiseConv2D(DepthwiseConv2DOptions options = {});
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "DepthwiseConv2D"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  bool ends_in_softmax() const override { return opt_.activation == Activation::softmax; }
  Tensor backward_from_logits(const Tensor& dlogits) override;
  // F_h * F_w per output element: each reads one channel's window.
  int64_t macs() const override;
  Window window() const override;
  std::vector<Param> params() override;
  Config config() const override;
  void reset_parameters(Rng& rng) override;

  const DepthwiseConv2DOptions& options() const { return opt_; }
  Tensor& weight() { return weight_; }
  Tensor& bias() { return bias_; }

 protected:
  void allocate(const Shape& input) override;

 private:
  DepthwiseConv2DOptions opt_;
  Tensor weight_, bias_, dweight_, dbias_;
  // Backward through the convolution, for dz = dL/d(pre-activation output).
  Tensor backward_affine(const Tensor& dz);
  Tensor x_, y_;  // kept from the last training forward
};

}  // namespace convnet
