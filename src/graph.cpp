#include "convnet/graph.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "bench/layer_timer.h"
#include "inference/fused_conv.h"

#include "convnet/layers/merge.h"

namespace convnet {
namespace {

// a + b in a new tensor: gradients are shared between nodes, so never summed in place.
Tensor sum(const Tensor& a, const Tensor& b) {
  Tensor s = a.clone();
  for (int64_t i = 0; i < s.numel(); ++i) s[i] += b[i];
  return s;
}

}  // namespace

Graph::Graph(GraphOptions options) : rng_(options.seed) { name_ = options.name; }

const Graph::Node& Graph::node_at(const SymbolicTensor& t, const char* what) const {
  if (t.node < 0 || t.node >= int(nodes_.size()))
    throw std::invalid_argument(name_ + ": " + what + " is not a tensor of this graph");
  return nodes_[size_t(t.node)];
}

SymbolicTensor Graph::input(Shape shape, std::string name) {
  for (int64_t d : shape)
    if (d < 1) throw ShapeError(name_ + ": input shape " + shape.str() + " has a dimension < 1");
  if (name.empty()) name = inputs_.empty() ? "input" : "input_" + std::to_string(inputs_.size());
  nodes_.push_back({nullptr, {}, shape, name});
  inputs_.push_back(int(nodes_.size()) - 1);
  input_names_.push_back(name);
  return {int(nodes_.size()) - 1, shape};
}

SymbolicTensor Graph::add(std::unique_ptr<Layer> layer, const std::vector<SymbolicTensor>& inputs) {
  if (inputs.empty()) throw std::invalid_argument(name_ + ": a layer needs at least one input");
  std::set<std::string> names;
  for (const Node& n : nodes_) names.insert(n.name);
  if (layer->name().empty()) {
    std::string base = layer->default_name(), candidate = base;
    for (int i = 1; names.count(candidate); ++i) candidate = base + "_" + std::to_string(i);
    layer->set_name(candidate);
  } else if (names.count(layer->name())) {
    throw std::invalid_argument(name_ + ": a layer named '" + layer->name() + "' exists already");
  }
  std::vector<Shape> shapes;
  std::vector<int> ids;
  for (const SymbolicTensor& t : inputs) {
    shapes.push_back(node_at(t, "an input").shape);
    ids.push_back(t.node);
  }
  Shape out;
  if (auto* merge = dynamic_cast<MergeLayer*>(layer.get())) {
    out = merge->build(shapes, rng_);
  } else {
    if (shapes.size() != 1)
      throw ShapeError(layer->name() + " (" + layer->type() + "): takes one input, received " +
                       std::to_string(shapes.size()));
    out = layer->build(shapes[0], rng_);
  }
  const std::string name = layer->name();
  nodes_.push_back({std::move(layer), std::move(ids), out, name});
  return {int(nodes_.size()) - 1, out};
}

void Graph::set_outputs(const std::vector<SymbolicTensor>& outputs) {
  if (outputs.empty()) throw std::invalid_argument(name_ + ": a model needs at least one output");
  outputs_.clear();
  for (const SymbolicTensor& t : outputs) {
    node_at(t, "an output");
    outputs_.push_back(t.node);
  }
}

std::vector<Tensor> Graph::forward(const std::vector<Tensor>& inputs, Mode mode) {
  if (outputs_.empty()) throw std::logic_error(name_ + ": set_outputs() was not called");
  const std::vector<Tensor> values = forward_nodes(inputs, mode, nodes_.size() - 1);
  std::vector<Tensor> outs;
  for (int o : outputs_) outs.push_back(values[size_t(o)]);
  return outs;
}

Tensor Graph::forward(const Tensor& x, Mode mode) {
  if (inputs_.size() != 1 || outputs_.size() != 1)
    throw std::invalid_argument(name_ + ": has several inputs or outputs; call the list form");
  return forward(std::vector<Tensor>{x}, mode)[0];
}

Tensor Graph::forward_to(const Tensor& x, const std::string& layer, Mode mode) {
  const Layer* target = &this->layer(layer);  // throws, listing the names
  if (inputs_.size() != 1) throw std::invalid_argument(name_ + ": has several inputs");
  size_t last = 0;
  while (nodes_[last].layer.get() != target) ++last;
  return forward_nodes({x}, mode, last)[last];
}

std::vector<Tensor> Graph::forward_nodes(const std::vector<Tensor>& inputs, Mode mode,
                                         size_t last) {
  if (inputs.size() != inputs_.size())
    throw std::invalid_argument(name_ + ": " + std::to_string(inputs.size()) + " inputs given, " +
                                std::to_string(inputs_.size()) + " expected");
  std::vector<Tensor> values(nodes_.size());
  for (size_t i = 0; i < inputs_.size(); ++i) {
    const Node& n = nodes_[size_t(inputs_[i])];
    if (inputs[i].rank() < 1 || !(inputs[i].shape().without_batch() == n.shape))
      throw ShapeError(name_ + ": input '" + n.name + "' received batch of shape " +
                       inputs[i].shape().str() + ", expected [N" +
                       (n.shape.rank() ? ", " : "") + n.shape.str().substr(1));
    values[size_t(inputs_[i])] = inputs[i];
  }
  // In eval mode nothing is kept for a backward pass: a value is freed after its last reader
  // (the outputs and the node asked for stay).
  std::vector<size_t> last_reader(nodes_.size(), nodes_.size());
  if (mode == Mode::eval) {
    for (size_t i = 0; i <= last; ++i)
      for (int j : nodes_[i].inputs) last_reader[size_t(j)] = i;
    for (int o : outputs_) last_reader[size_t(o)] = nodes_.size();
    last_reader[last] = nodes_.size();
  }
  // In eval mode convolutions run fused with the batch norm and activation after them: a fusion
  // runs at its first node and gives the value of its last.
  std::vector<bool> skip(last + 1, false);
  std::vector<inference::PlannedFusion> fusions;
  if (mode == Mode::eval) {
    std::vector<inference::PlanNode> plan_nodes;
    for (size_t i = 0; i <= last; ++i)
      plan_nodes.push_back({nodes_[i].layer.get(), nodes_[i].inputs, i == last});
    for (int o : outputs_)
      if (size_t(o) <= last) plan_nodes[size_t(o)].needed = true;
    fusions = inference::plan_fusions(plan_nodes, skip);
  }
  auto fusion = fusions.begin();
  for (size_t i = 0; i <= last; ++i) {
    Node& n = nodes_[i];
    if (!n.layer || skip[i]) continue;
    const bool fused = fusion != fusions.end() && fusion->head == i;
    const bench::LayerTimer timer(fused ? *fusion->conv.conv : *n.layer, false);
    if (fused) {
      values[fusion->tail] =
          inference::fused_conv_forward(fusion->conv, values[size_t(n.inputs[0])]);
      ++fusion;
    } else if (auto* merge = dynamic_cast<MergeLayer*>(n.layer.get())) {
      std::vector<Tensor> xs;
      for (int j : n.inputs) xs.push_back(values[size_t(j)]);
      values[i] = merge->forward(xs, mode);
    } else {
      values[i] = n.layer->forward(values[size_t(n.inputs[0])], mode);
    }
    for (int j : n.inputs)
      if (last_reader[size_t(j)] == i) values[size_t(j)] = Tensor();
  }
  return values;
}

std::vector<Tensor> Graph::backward_impl(const std::vector<Tensor>& dys, bool from_logits) {
  if (dys.size() != outputs_.size())
    throw std::invalid_argument(name_ + ": " + std::to_string(dys.size()) + " gradients given, " +
                                std::to_string(outputs_.size()) + " expected");
  std::vector<Tensor> grads(nodes_.size());
  // A layer that reads only model inputs returns no dx unless the model needs it.
  auto accumulate = [&](int node, const Tensor& g) {
    if (g.empty()) return;
    Tensor& slot = grads[size_t(node)];
    slot = slot.empty() ? g : sum(slot, g);
  };
  for (size_t i = 0; i < outputs_.size(); ++i) accumulate(outputs_[i], dys[i]);
  for (size_t i = nodes_.size(); i-- > 0;) {
    Node& n = nodes_[i];
    if (!n.layer || grads[i].empty()) continue;
    const bool logits = from_logits && int(i) == outputs_[0];
    const bench::LayerTimer timer(*n.layer, true);
    n.layer->set_needs_input_grad(
        needs_input_grad_ || std::any_of(n.inputs.begin(), n.inputs.end(),
                                         [&](int j) { return nodes_[size_t(j)].layer != nullptr; }));
    if (auto* merge = dynamic_cast<MergeLayer*>(n.layer.get())) {
      const std::vector<Tensor> dxs = merge->backward_all(grads[i]);
      for (size_t k = 0; k < n.inputs.size(); ++k) accumulate(n.inputs[k], dxs[k]);
    } else {
      accumulate(n.inputs[0], logits ? n.layer->backward_from_logits(grads[i])
                                     : n.layer->backward(grads[i]));
    }
    grads[i] = Tensor();  // free as soon as it has been passed on
  }
  std::vector<Tensor> dxs;
  // Layers that ignore needs_input_grad may have left part of a gradient: return none at all.
  for (int in : inputs_) dxs.push_back(needs_input_grad_ ? grads[size_t(in)] : Tensor());
  return dxs;
}

std::vector<Tensor> Graph::backward(const std::vector<Tensor>& dys) {
  return backward_impl(dys, false);
}

Tensor Graph::backward(const Tensor& dy) { return backward_impl({dy}, false).at(0); }

bool Graph::ends_in_softmax() {
  return outputs_.size() == 1 && nodes_[size_t(outputs_[0])].layer &&
         nodes_[size_t(outputs_[0])].layer->ends_in_softmax();
}

Tensor Graph::backward_from_logits(const Tensor& dlogits) {
  if (!ends_in_softmax()) throw std::logic_error(name_ + ": the model does not end in a softmax");
  return backward_impl({dlogits}, true).at(0);
}

std::vector<Layer*> Graph::layers() {
  std::vector<Layer*> v;
  for (Node& n : nodes_)
    if (n.layer) v.push_back(n.layer.get());
  return v;
}

Shape Graph::input_shape() const {
  return inputs_.empty() ? Shape() : nodes_[size_t(inputs_[0])].shape;
}

Shape Graph::output_shape() const {
  return outputs_.empty() ? Shape() : nodes_[size_t(outputs_[0])].shape;
}

std::vector<std::vector<std::string>> Graph::inbound_names() {
  std::vector<std::vector<std::string>> out;
  for (const Node& n : nodes_) {
    if (!n.layer) continue;
    std::vector<std::string> names;
    for (int j : n.inputs) names.push_back(nodes_[size_t(j)].name);
    out.push_back(std::move(names));
  }
  return out;
}

std::vector<Shape> Graph::input_shapes() const {
  std::vector<Shape> shapes;
  for (int i : inputs_) shapes.push_back(nodes_[size_t(i)].shape);
  return shapes;
}

std::vector<std::string> Graph::output_names() const {
  std::vector<std::string> names;
  for (int o : outputs_) names.push_back(nodes_[size_t(o)].name);
  return names;
}

}  // namespace convnet
