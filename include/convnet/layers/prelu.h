// PReLU (He et al., 2015): a leaky ReLU whose negative slope is learned, one per channel
// (PyTorch's nn.PReLU(num_parameters=C)) or one for all (nn.PReLU()).
//
//   forward:  y = x for x > 0, a_c * x otherwise          (c = the channel of x, axis 1 of the batch)
//   backward: dx = dy for x > 0, a_c * dy otherwise;  da_c += sum_{n, ... : x <= 0} dy * x
//
// Input [C, ...] of any rank >= 1 (also [F] after a Dense) -> the same shape. Parameter "weight"
// [C] ([1] when shared), filled with `init`.
#pragma once

#include "convnet/layer.h"

namespace convnet {

struct PReLUOptions {
  bool shared = false;  // one slope for all channels (nn.PReLU()'s default) instead of one each
  float init = 0.25f;   // initial slope (PyTorch's init)
};

class PReLU : public Layer {
 public:
  explicit PReLU(PReLUOptions options = {});
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "PReLU"; }
  std::string default_name() const override { return "prelu"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  std::vector<Param> params() override;
  Config config() const override;
  void reset_parameters(Rng& rng) override;

  const PReLUOptions& options() const { return opt_; }
  Tensor& weight() { return weight_; }

 protected:
  void allocate(const Shape& input) override;

 private:
  PReLUOptions opt_;
  Tensor weight_, dweight_;
  Tensor x_;  // kept from the last training forward
};

}  // namespace convnet
