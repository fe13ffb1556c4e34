// What the zoo's builders share: resolving ZooOptions against an architecture's defaults.
#pragma once

#include <string>
#include <utility>

#include "convnet/zoo.h"

namespace convnet::zoo::detail {

// o.input_shape, or `fallback` when it is empty; throws std::invalid_argument naming `model` unless
// it is [C, H, W] with H, W >= min_size (the smallest input every layer can take).
Shape input_shape(const ZooOptions& o, const std::string& model, const Shape& fallback,
                  int64_t min_size);
// o.classes, or `fallback` when it is 0; throws std::invalid_argument when negative.
int64_t classes(const ZooOptions& o, int64_t fallback);
// Throws std::invalid_argument unless o.alpha is 1: only MobileNet has a width multiplier.
void require_unit_alpha(const ZooOptions& o, const std::string& model);
// An empty Sequential for `model`, its input resolved as input_shape() does; also checks alpha
// unless the architecture takes one.
std::unique_ptr<Sequential> start(const ZooOptions& o, const std::string& model,
                                  const Shape& fallback, int64_t min_size,
                                  bool takes_alpha = false);

// The layer, named.
template <typename L>
L named(L layer, std::string name) {
  layer.set_name(std::move(name));
  return layer;
}

// Appends layers named as the modules of a torchvision nn.Sequential ("features.0", "features.2",
// ...), so that parameter names are torchvision's state_dict keys.
class TorchSequence {
 public:
  TorchSequence(Sequential& model, std::string prefix)
      : model_(model), prefix_(std::move(prefix)) {}
  template <typename L>
  void add(L layer) {
    add_modules(std::move(layer), 1);
  }
  // A Conv2D or Dense with a fused ReLU stands for two modules, the layer and its ReLU.
  template <typename L>
  void add_with_relu(L layer) {
    add_modules(std::move(layer), 2);
  }

 private:
  template <typename L>
  void add_modules(L layer, int modules) {
    model_.add(named(std::move(layer), prefix_ + "." + std::to_string(next_)));
    next_ += modules;
  }

  Sequential& model_;
  std::string prefix_;
  int next_ = 0;
};

}  // namespace convnet::zoo::detail
