// Dense (fully connected, PyTorch's Linear): every output unit sees every input feature.
//
//   forward:  y = act(x W^T + b)        x [N, F_in], W [F_out, F_in] (PyTorch's layout), b [F_out]
//   backward: dy' = dy * act'(.),  dx = dy' W,  dW += dy'^T x,  db += sum_n dy'
//
// Takes [F_in] only; put a Flatten before it to feed feature maps. (F_in + 1) * F_out parameters.
#pragma once

#include "convnet/activation.h"
#include "convnet/layer.h"

namespace convnet {

struct DenseOptions {
  int64_t units = 1;                            // F_out
  bool use_bias = true;                         // add a learned bias per unit
  Activation activation = Activation::linear;   // applied to the output (Keras' activation=)
  float activation_alpha = 0.0f;                // slope/scale for leaky_relu and elu
};

class Dense : public Layer {
 public:
  explicit Dense(DenseOptions options);
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "Dense"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  bool ends_in_softmax() const override { return opt_.activation == Activation::softmax; }
  Tensor backward_from_logits(const Tensor& dlogits) override;
  int64_t macs() const override { return opt_.units * weight_.dim(1); }
  std::vector<Param> params() override;
  Config config() const override;
  void reset_parameters(Rng& rng) override;

  const DenseOptions& options() const { return opt_; }
  Tensor& weight() { return weight_; }
  Tensor& bias() { return bias_; }

 protected:
  void allocate(const Shape& input) override;

 private:
  DenseOptions opt_;
  Tensor weight_, bias_, dweight_, dbias_;
  // Backward through the affine part, for dz = dL/d(pre-activation output).
  Tensor backward_affine(const Tensor& dz);
  Tensor x_, y_;
};

}  // namespace convnet
