// Conv2DTranspose (PyTorch's ConvTranspose2d, "deconvolution"): the adjoint of Conv2D, which
// up-samples. Each input pixel scatters a weighted copy of its filter into the output, S pixels
// apart:
//
//   forward:  z[n, k, i*S - P_top + a*D, j*S - P_left + b*D] += x[n, c, i, j] * W[c, k', a, b]
//             (summed over c in k's group, k' = k mod K/groups), y = act(z + bias[k]);
//             i.e. y = act(conv2d_backward_data(x) + b) for the Conv2D that maps y's shape to x's
//   backward: dz = dy * act'(.); dx = Conv2D forward of dz (the same W, stride and padding);
//             dW[c, k', a, b] += sum_{n, i, j} x[n, c, i, j] * dz[n, k, i*S - P_top + a*D, ...];
//             db[k] += sum_{n, h, w} dz[n, k, h, w]
//   (contributions that land outside the output are cropped away, as the padding says).
//
// Input [C, H, W] -> output [K, H2, W2] with, per axis (F_eff = (F - 1) * D + 1):
//   valid:    H2 = (H - 1) * S + F_eff + output_padding            (PyTorch with padding 0)
//   explicit: H2 = (H - 1) * S + F_eff + output_padding - P_top - P_bottom
//             (PyTorch's padding = p crops p rows from each side of the valid output)
//   same:     H2 = H * S (Keras/TensorFlow): the exact adjoint of a Conv2D 'same' from H * S to H,
//             so the crop is max(F_eff - S, 0) split with the extra row at the bottom/right.
//             output_padding must be 0.
// 'valid' equals Keras' only when F_eff >= S (Keras then pads the output to H * S).
// The lecture's 2x2 -> 4x4 up-sampling: kernel 3, stride 2, padding 1, output_padding 1
// (PyTorch: rows/columns 1..4 of the uncropped 5x5), or kernel 3, stride 2, 'same' (Keras: rows
// and columns 0..3).
//
// Weights [C, K / groups, F_h, F_w] (PyTorch's ConvTranspose2d layout), bias [K]. Initialization
// as Conv2D with fan_in = K / groups * F_h * F_w, fan_out = C / groups * F_h * F_w (the fans
// Keras and PyTorch compute for this weight).
#pragma once

#include "convnet/activation.h"
#include "convnet/layer.h"
#include "convnet/padding.h"

namespace convnet {

struct Conv2DTransposeOptions {
  int64_t filters = 1;               // K, the number of output channels
  Size2 kernel = 3;                  // F, kernel height x width
  Size2 stride = 1;                  // S, the up-sampling factor
  Padding padding = Padding::valid;  // valid | same | explicit (cropping, as PyTorch)
  Size2 output_padding = 0;          // rows/columns added at the bottom/right; < max(S, D)
  Size2 dilation = 1;                // D, spacing between kernel taps
  int64_t groups = 1;                // channels split into independent groups
  bool use_bias = true;              // add a learned bias per filter
  Activation activation = Activation::linear;  // applied to the output (Keras' activation=)
  float activation_alpha = 0.0f;               // slope/scale for leaky_relu and elu
};

class Conv2DTranspose : public Layer {
 public:
  explicit Conv2DTranspose(Conv2DTransposeOptions options);
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "Conv2DTranspose"; }
  std::string default_name() const override { return "conv2d_transpose"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  bool ends_in_softmax() const override { return opt_.activation == Activation::softmax; }
  Tensor backward_from_logits(const Tensor& dlogits) override;
  // Every input element scatters into K / groups * F_h * F_w outputs (those later cropped by the
  // padding included), as PyTorch's FLOP counters count ConvTranspose2d.
  int64_t macs() const override;
  // For receptive fields: an output unit reads at most ceil(F_eff / S) neighbouring input units per
  // axis (kernel), stride 1, and outputs are S times denser than inputs (upsample = S).
  Window window() const override;
  std::vector<Param> params() override;
  Config config() const override;
  void reset_parameters(Rng& rng) override;

  const Conv2DTransposeOptions& options() const { return opt_; }
  Tensor& weight() { return weight_; }
  Tensor& bias() { return bias_; }

 protected:
  void allocate(const Shape& input) override;

 private:
  Conv2DTransposeOptions opt_;
  Tensor weight_, bias_, dweight_, dbias_;
  // Backward through the affine part, for dz = dL/d(pre-activation output).
  Tensor backward_affine(const Tensor& dz);
  Tensor x_, y_;  // kept from the last training forward
};

}  // namespace convnet
