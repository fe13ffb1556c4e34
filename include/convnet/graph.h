// Graph: a model whose layers form a directed acyclic graph (Keras' functional API), for residual
// connections, several inputs or several outputs.
//
//   Graph g({.name = "residual"});
//   auto x = g.input({16, 8, 8});
//   auto h = g.add(Conv2D({.filters = 16, .kernel = 3, .padding = Padding::same,
//                          .activation = Activation::relu}), x);
//   h = g.add(Conv2D({.filters = 16, .kernel = 3, .padding = Padding::same}), h);
//   auto y = g.add(Add(), {h, x});
//   g.set_outputs({g.add(ReLU(), y)});
//
// A layer's shapes are inferred when it is added, as in Sequential. Nodes are kept in the order
// they were added, which is a topological order (a layer can only take existing nodes); forward
// runs in that order and backward in reverse, summing the gradients of nodes used more than once.
#pragma once

#include <concepts>
#include <memory>
#include <string>
#include <vector>

#include "convnet/model.h"

namespace convnet {

// A symbolic tensor: the output of one node of a graph, known by its shape before any data flows.
struct SymbolicTensor {
  int node = -1;
  Shape shape;  // one sample, no batch dimension
};

struct GraphOptions {
  std::string name = "model";
  uint64_t seed = 0;  // seed of the random source that initializes the layers
};

class Graph : public Model {
 public:
  explicit Graph(GraphOptions options = {});

  // A model input of the given per-sample shape (Keras' keras.Input), named input, input_1, ...
  SymbolicTensor input(Shape shape, std::string name = "");
  // Builds `layer` on the inputs' shapes, names it unless named, and returns its output.
  SymbolicTensor add(std::unique_ptr<Layer> layer, const std::vector<SymbolicTensor>& inputs);
  template <std::derived_from<Layer> L>
  SymbolicTensor add(L layer, const std::vector<SymbolicTensor>& inputs) {
    return add(std::unique_ptr<Layer>(std::make_unique<L>(std::move(layer))), inputs);
  }
  template <std::derived_from<Layer> L>
  SymbolicTensor add(L layer, SymbolicTensor input) {
    return add(std::move(layer), std::vector<SymbolicTensor>{input});
  }
  void set_outputs(const std::vector<SymbolicTensor>& outputs);

  // Models with one input and one output use the Model interface; the list forms serve all.
  Tensor forward(const Tensor& x, Mode mode = Mode::eval) override;
  std::vector<Tensor> forward(const std::vector<Tensor>& inputs, Mode mode = Mode::eval);
  // Single-input models only: the node's value once the nodes before it have run.
  Tensor forward_to(const Tensor& x, const std::string& layer, Mode mode = Mode::eval) override;
  Tensor backward(const Tensor& dy) override;
  std::vector<Tensor> backward(const std::vector<Tensor>& dys);
  bool ends_in_softmax() override;
  Tensor backward_from_logits(const Tensor& dlogits) override;

  std::vector<Layer*> layers() override;
  Shape input_shape() const override;
  Shape output_shape() const override;
  // Names of the nodes feeding each layer, in layers() order (the summary's "Connected to").
  std::vector<std::vector<std::string>> inbound_names() override;
  const std::vector<std::string>& input_names() const { return input_names_; }
  std::vector<Shape> input_shapes() const;
  std::vector<std::string> output_names() const;
  size_t input_count() const { return inputs_.size(); }
  size_t output_count() const { return outputs_.size(); }

 private:
  struct Node {
    std::unique_ptr<Layer> layer;  // null for an input
    std::vector<int> inputs;
    Shape shape;
    std::string name;
  };
  // The values of nodes [0, end) for the inputs (the later ones stay empty).
  std::vector<Tensor> run(const std::vector<Tensor>& inputs, Mode mode, size_t end);
  std::vector<Tensor> backward_impl(const std::vector<Tensor>& dys, bool from_logits);
  const Node& node_at(const SymbolicTensor& t, const char* what) const;

  Rng rng_;
  std::vector<Node> nodes_;
  std::vector<int> inputs_, outputs_;
  std::vector<std::string> input_names_;
};

}  // namespace convnet
