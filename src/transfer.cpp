#include "convnet/transfer.h"

#include <map>
#include <stdexcept>

#include "convnet/graph.h"
#include "convnet/layers/dense.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

// Index in layers() of the last Dense layer.
size_t head_index(Model& model) {
  const std::vector<Layer*> layers = model.layers();
  for (size_t k = layers.size(); k-- > 0;)
    if (dynamic_cast<Dense*>(layers[k])) return k;
  throw std::invalid_argument(model.name() + ": no Dense layer to replace (the classifier head)");
}

// The layer rebuilt from its config, or the new head; name and trainable flag kept.
std::unique_ptr<Layer> rebuilt(Layer& old, bool is_head, int64_t classes) {
  std::unique_ptr<Layer> l;
  if (is_head) {
    DenseOptions o = static_cast<Dense&>(old).options();
    o.units = classes;
    l = std::make_unique<Dense>(o);
  } else {
    l = make_layer(old.type(), old.config());
  }
  l->set_name(old.name());
  l->set_trainable(old.trainable());
  return l;
}

// Copies the old layer's parameters into the rebuilt one (not for the new head).
void copy_params(Layer& from, Layer& to) {
  std::vector<Param> src = from.params(), dst = to.params();
  for (size_t k = 0; k < src.size() && k < dst.size(); ++k) dst[k].value->copy_from(*src[k].value);
}

}  // namespace

std::unique_ptr<Model> replace_head(Model& model, int64_t classes, uint64_t seed) {
  if (classes < 1) throw std::invalid_argument("replace_head: classes must be >= 1");
  const size_t head = head_index(model);
  const std::vector<Layer*> layers = model.layers();
  if (auto* graph = dynamic_cast<Graph*>(&model)) {
    auto out = std::make_unique<Graph>(GraphOptions{.name = model.name(), .seed = seed});
    std::map<std::string, SymbolicTensor> nodes;
    const std::vector<Shape> shapes = graph->input_shapes();
    for (size_t k = 0; k < shapes.size(); ++k)
      nodes[graph->input_names()[k]] = out->input(shapes[k], graph->input_names()[k]);
    const auto inbound = graph->inbound_names();
    for (size_t k = 0; k < layers.size(); ++k) {
      std::vector<SymbolicTensor> inputs;
      for (const std::string& name : inbound[k]) inputs.push_back(nodes.at(name));
      std::unique_ptr<Layer> l = rebuilt(*layers[k], k == head, classes);
      Layer* raw = l.get();
      nodes[layers[k]->name()] = out->add(std::move(l), inputs);
      if (k != head) copy_params(*layers[k], *raw);
    }
    std::vector<SymbolicTensor> outputs;
    for (const std::string& name : graph->output_names()) outputs.push_back(nodes.at(name));
    out->set_outputs(outputs);
    return out;
  }
  auto out = std::make_unique<Sequential>(model.input_shape(),
                                          SequentialOptions{.name = model.name(), .seed = seed});
  for (size_t k = 0; k < layers.size(); ++k) {
    Layer& l = out->add(rebuilt(*layers[k], k == head, classes));
    if (k != head) copy_params(*layers[k], l);
  }
  return out;
}

void freeze_until(Model& model, const std::string& layer_name) {
  const std::vector<Layer*> layers = model.layers();
  size_t last = 0;
  if (layer_name.empty()) {
    last = head_index(model);
    if (last == 0) return;
    --last;
  } else {
    model.layer(layer_name);  // throws, listing the names, when there is none
    while (layers[last]->name() != layer_name) ++last;
  }
  for (size_t k = 0; k < layers.size(); ++k) layers[k]->set_trainable(k > last);
}

}  // namespace convnet
