// Model: what every model (Sequential now, graph models later) offers to training, files and the
// CLI: forward/backward over its layers, named parameters, and Keras' summary().
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "convnet/layer.h"

namespace convnet {

// Training types live in convnet/train.h; include it to call compile/fit/evaluate.
class Loss;
class Optimizer;
struct Dataset;
struct FitOptions;
struct History;
struct EvaluateOptions;
struct Evaluation;

// A parameter with its model-wide name, "<layer>.<param>" (PyTorch's state_dict keys).
struct NamedParam {
  std::string name;
  Param param;
  Layer* layer = nullptr;
  // True when an optimizer may change it: a gradient exists and the layer is not frozen.
  bool trainable() const { return param.grad && layer->trainable(); }
};

// One row of summary(): what Keras shows, per layer.
struct LayerSummary {
  std::string name, type;
  Shape output_shape;  // one sample, no batch dimension
  int64_t params = 0, trainable_params = 0;
  std::vector<std::string> inbound;  // "Connected to" (graph models only)
  int64_t macs = 0;                  // multiply-accumulates per sample
  int64_t activation_bytes = 0;      // size of the output per sample
  // Receptive field of one output unit on the model input (size, and the jump between
  // neighbouring units' fields); the whole input once the spatial layout is gone.
  Size2 receptive_field = 1, jump = 1;
  // Input coordinates of the top-left corner of unit (0, 0)'s field: negative where the field
  // reaches into zero padding. Unit (y, x) sees rows field_top + y * jump.h onwards (approximate
  // after up-sampling layers, whose jumps are rounded to whole pixels).
  int64_t field_top = 0, field_left = 0;
};

struct ModelSummary {
  std::string model_name;
  Shape input_shape;
  std::vector<LayerSummary> layers;
  int64_t total_params = 0, trainable_params = 0, non_trainable_params = 0;
  int64_t total_macs = 0, activation_bytes = 0;
};

class Model {
 public:
  Model();
  virtual ~Model();

  // x: [N, input_shape...] -> [N, output_shape...]. In Mode::train layers keep what backward needs.
  virtual Tensor forward(const Tensor& x, Mode mode = Mode::eval) = 0;
  // dy: gradient of the loss for the last training forward's output; returns dx and accumulates
  // every parameter gradient.
  virtual Tensor backward(const Tensor& dy) = 0;
  // True when the output is a softmax; then backward_from_logits(dz) takes the gradient for the
  // softmax's input (see Layer::ends_in_softmax).
  virtual bool ends_in_softmax() = 0;
  virtual Tensor backward_from_logits(const Tensor& dlogits) = 0;
  // False: backward() and backward_from_logits() may return an empty tensor instead of dx, and
  // the layers that read the model's inputs skip their input gradients (training needs only the
  // parameter gradients). True by default.
  bool needs_input_grad() const { return needs_input_grad_; }
  void set_needs_input_grad(bool needed) { needs_input_grad_ = needed; }
  // The output of the layer named `layer` for x ([N, input_shape...] -> [N, that layer's output
  // shape...]): the forward pass stopped there, running only the layers before it (feature maps to
  // look at, features for retrieval). Throws std::invalid_argument listing the layers when there
  // is no layer of that name.
  virtual Tensor forward_to(const Tensor& x, const std::string& layer, Mode mode = Mode::eval) = 0;

  virtual std::vector<Layer*> layers() = 0;
  // For each layer, in layers() order, the names of the nodes feeding it; empty for models whose
  // layers simply follow one another (the summary then has no "Connected to" column).
  virtual std::vector<std::vector<std::string>> inbound_names() { return {}; }
  virtual Shape input_shape() const = 0;
  virtual Shape output_shape() const = 0;
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  // The layer of that name; throws std::invalid_argument listing the names.
  Layer& layer(const std::string& name);
  std::vector<NamedParam> params();
  void zero_grad();
  int64_t count_params();

  ModelSummary summary_info();
  // Keras' model.summary() as text.
  std::string summary();

  // Keras' compile/fit/evaluate/predict (see convnet/train.h).
  void compile(std::unique_ptr<Optimizer> optimizer, std::unique_ptr<Loss> loss);
  History fit(const Dataset& train, const FitOptions& options);
  Evaluation evaluate(const Dataset& data, const EvaluateOptions& options);
  // Model outputs for images [N, ...input_shape], in eval mode, batch by batch.
  Tensor predict(const Tensor& images, int64_t batch_size = 256);
  Optimizer* optimizer() { return optimizer_.get(); }
  Loss* loss() { return loss_.get(); }

 protected:
  std::string name_ = "model";
  bool needs_input_grad_ = true;
  std::unique_ptr<Optimizer> optimizer_;
  std::unique_ptr<Loss> loss_;
};

// Prints a summary in Keras' layout: Layer (type), Output Shape, Param #, then the totals.
std::string format_summary(const ModelSummary& s);

}  // namespace convnet
