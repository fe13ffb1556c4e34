// Sequential: a stack of layers, each feeding the next (Keras' keras.Sequential).
//
//   Sequential model({1, 28, 28});
//   model.add(Conv2D({.filters = 6, .kernel = 5, .padding = Padding::same,
//                     .activation = Activation::relu}));
//   model.add(AvgPool2D());
//   model.add(Flatten());
//   model.add(Dense({.units = 10, .activation = Activation::softmax}));
//   std::cout << model.summary();
//
// Each layer is built when added: its shape is inferred from the layer before, a mismatch throws
// ShapeError at that moment, and its parameters are initialized from the model's seeded Rng.
#pragma once

#include <concepts>
#include <memory>
#include <vector>

#include "convnet/model.h"

namespace convnet {

struct SequentialOptions {
  std::string name = "sequential";
  uint64_t seed = 0;  // seed of the random source that initializes the layers
};

class Sequential : public Model {
 public:
  explicit Sequential(Shape input_shape, SequentialOptions options = {});

  // Builds the layer on the current output shape, names it (Keras style: conv2d, conv2d_1, ...)
  // unless it has a name, and appends it. Returns the added layer.
  Layer& add(std::unique_ptr<Layer> layer);
  template <std::derived_from<Layer> L>
  L& add(std::unique_ptr<L> layer) {
    L& added = *layer;
    add(std::unique_ptr<Layer>(std::move(layer)));
    return added;
  }
  template <std::derived_from<Layer> L>
  L& add(L layer) {
    return add(std::make_unique<L>(std::move(layer)));
  }

  Tensor forward(const Tensor& x, Mode mode = Mode::eval) override;
  Tensor forward_to(const Tensor& x, const std::string& layer, Mode mode = Mode::eval) override;
  Tensor backward(const Tensor& dy) override;
  bool ends_in_softmax() override { return !layers_.empty() && layers_.back()->ends_in_softmax(); }
  Tensor backward_from_logits(const Tensor& dlogits) override;
  std::vector<Layer*> layers() override;
  Shape input_shape() const override { return input_shape_; }
  Shape output_shape() const override;
  Rng& rng() { return rng_; }

 private:
  std::string unique_name(const std::string& base) const;
  // Throws ShapeError unless x is a batch of the input's rank.
  void check_input(const Tensor& x) const;
  // Backward through layers [0, end), given the gradient for the output of layer end - 1.
  Tensor backward_below(size_t end, const Tensor& dy);

  Shape input_shape_;
  Rng rng_;
  std::vector<std::unique_ptr<Layer>> layers_;
};

}  // namespace convnet
