// Dropout: during training each unit is zeroed with probability `rate` and the survivors are
// scaled by 1 / (1 - rate) ("inverted" dropout, as Keras and PyTorch do it), so that the expected
// output equals the input and inference needs no rescaling.
//
//   forward (Mode::train): m_i = 1 / (1 - rate) with probability 1 - rate, else 0;  y = m * x
//   forward (Mode::eval):  y = x
//   backward:              dx = m * dy   (dx = dy after an eval forward)
//
// Any input shape; no parameters. The mask is drawn from the layer's own Rng, which build()
// seeds from the model's Rng (or from options.seed), so that a seeded model drops the same units
// on every run.
#pragma once

#include <optional>

#include "convnet/layer.h"

namespace convnet {

struct DropoutOptions {
  float rate = 0.5f;                  // fraction of units dropped, in [0, 1] (PyTorch's p)
  std::optional<uint64_t> seed = {};  // fixed seed for the mask; unset: drawn from the model's Rng
};

class Dropout : public Layer {
 public:
  explicit Dropout(DropoutOptions options = {});
  static std::unique_ptr<Layer> from_config(const Config& c);

  std::string type() const override { return "Dropout"; }
  Shape output_shape(const Shape& input) const override;
  Tensor forward(const Tensor& x, Mode mode) override;
  Tensor backward(const Tensor& dy) override;
  Config config() const override;
  // Seeds the mask's Rng: from options.seed when set, else with one draw from rng.
  void reset_parameters(Rng& rng) override;

  const DropoutOptions& options() const { return opt_; }
  // Re-seeds the mask's Rng directly (also for a layer used outside a model).
  void seed(uint64_t s) { rng_.seed_with(s); }
  // The scale factors of the last training forward: 0 or 1 / (1 - rate), shaped like its input.
  const Tensor& mask() const { return mask_; }

 private:
  DropoutOptions opt_;
  Rng rng_;
  Tensor mask_;
  Shape x_shape_;  // of the last forward; mask_ is empty when it was an eval forward
};

}  // namespace convnet
