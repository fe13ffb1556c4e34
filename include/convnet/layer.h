// Layer: the contract every layer of convnet keeps.
//
// Shapes. A layer sees one sample's shape without the batch dimension ([C, H, W] for images,
// [F] for vectors); tensors passed to forward/backward carry the batch first ([N, C, H, W]).
//
// Life cycle.
//   1. Construction from an options struct: hyper-parameters only, no input size.
//   2. build(input_shape): called once by the model when the layer is added. Checks the shape
//      (throws ShapeError naming the layer, the shape received and the shape required),
//      allocates parameters, initializes them from the model's Rng, and returns the output shape.
//   3. forward(x, mode) -> y. In Mode::train the layer keeps what its backward pass needs; in
//      Mode::eval it may keep nothing. Layers whose maths differs between modes (Dropout,
//      BatchNorm) branch on mode; the others ignore it.
//   4. backward(dy) -> dx, for the x of the last forward(x, Mode::train). dy has the shape of y,
//      dx the shape of x. Parameter gradients are *accumulated* (+=) into each Param::grad, so
//      that gradients of several backward passes add up until the optimizer zeroes them. A layer
//      told that nothing needs its dx (set_needs_input_grad(false): the model's first layers
//      during training) may skip computing it and return an empty tensor.
//
// Parameters are exposed as Param views (PyTorch's names: "weight", "bias", "running_mean") so that
// optimizers, model files and ONNX can walk them without knowing the layer.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "convnet/config.h"
#include "convnet/padding.h"
#include "convnet/random.h"
#include "convnet/shape.h"
#include "convnet/tensor.h"

namespace convnet {

enum class Mode { eval, train };

// One tensor owned by a layer: a learnable parameter (grad != nullptr) or a state buffer such as
// BatchNorm's running mean (grad == nullptr, never trainable).
struct Param {
  std::string name;
  Tensor* value = nullptr;
  Tensor* grad = nullptr;
};

// A shape a layer cannot take. what() names the layer, the shape received and the shape required.
class ShapeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Layer {
 public:
  Layer() = default;
  Layer(const Layer&) = default;
  Layer(Layer&&) = default;
  Layer& operator=(const Layer&) = default;
  Layer& operator=(Layer&&) = default;
  virtual ~Layer() = default;

  // The class name users know from Keras/PyTorch: "Conv2D", "MaxPool2D", "Dense".
  virtual std::string type() const = 0;
  // Base of automatic names ("conv2d" -> conv2d, conv2d_1, ...): type() in snake_case.
  virtual std::string default_name() const;

  // Output shape for one input sample, without allocating anything; throws ShapeError.
  virtual Shape output_shape(const Shape& input) const = 0;
  // See the life cycle above. Non-virtual: layers customize allocate() instead.
  Shape build(const Shape& input, Rng& rng);
  bool built() const { return built_; }

  virtual Tensor forward(const Tensor& x, Mode mode) = 0;
  virtual Tensor backward(const Tensor& dy) = 0;

  // Layers whose output is a softmax (fused or alone) say so: a cross-entropy loss then hands
  // backward_from_logits() the exact gradient for the softmax's input, (p - t) / N, instead of
  // differentiating -log p through the softmax, which is unstable where p underflows.
  virtual bool ends_in_softmax() const { return false; }
  virtual Tensor backward_from_logits(const Tensor& dlogits);

  // For the summary: multiply-accumulates per sample of the built shapes (convolutions and dense
  // layers; 0 for layers whose cost is not a product sum).
  virtual int64_t macs() const { return 0; }
  // The window the layer slides over its input's spatial axes, for receptive fields: effective
  // kernel (dilation included), stride, top/left padding. Point-wise layers keep the default.
  // Up-sampling layers (Conv2DTranspose, UpSampling2D) give the input units one output unit reads
  // as kernel, and their factor as upsample: neighbouring outputs are then jump / upsample apart
  // on the model input (rounded up to whole pixels).
  struct Window {
    Size2 kernel = 1, stride = 1;
    int64_t pad_top = 0, pad_left = 0;
    Size2 upsample = 1;
  };
  virtual Window window() const { return {}; }

  // Parameters and state buffers, in a fixed order.
  virtual std::vector<Param> params() { return {}; }
  // Hyper-parameters (enough to rebuild the layer with make_layer(type(), config())).
  virtual Config config() const { return {}; }
  // (Re)initializes parameters from rng: He for ReLU-family layers, Glorot otherwise.
  virtual void reset_parameters(Rng&) {}

  // Number of elements of all parameters and state buffers (Keras' "Param #").
  int64_t param_count();
  // Elements the optimizer may change: 0 when the layer is frozen.
  int64_t trainable_param_count();
  void zero_grad();

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  // A frozen layer (trainable = false) keeps its parameters during training: its gradients are
  // still computed for the layers below, but optimizers skip them.
  bool trainable() const { return trainable_; }
  void set_trainable(bool t) { trainable_ = t; }
  // Whether backward() must return dx (see the life cycle); models set it before each backward.
  bool needs_input_grad() const { return needs_input_grad_; }
  void set_needs_input_grad(bool needed) { needs_input_grad_ = needed; }
  const Shape& input_shape() const { return input_shape_; }
  const Shape& built_output_shape() const { return output_shape_; }

 protected:
  // Allocates parameters for the given (already checked) input shape; called by build().
  virtual void allocate(const Shape&) {}
  // The part of build() after the shape check: records the shapes, allocates and initializes.
  Shape finish_build(const Shape& input, const Shape& output, Rng& rng);
  // Throws ShapeError: "<name> (<type>): received input shape [..], expected <expected>".
  [[noreturn]] void shape_error(const Shape& received, const std::string& expected) const;
  // The one-sample shape of a batch x, checked to be rank `rank` (batch included) and non-empty.
  Shape sample_shape(const Tensor& x, size_t rank, const char* expected) const;

 private:
  std::string name_;
  bool trainable_ = true;
  bool needs_input_grad_ = true;
  bool built_ = false;
  Shape input_shape_, output_shape_;
};

// Rebuilds a layer from its type() and config(); throws std::invalid_argument for an unknown type.
std::unique_ptr<Layer> make_layer(const std::string& type, const Config& config);
// The types make_layer knows.
std::vector<std::string> layer_types();

}  // namespace convnet
