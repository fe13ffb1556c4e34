// Both rebuilds go through the architecture JSON of model files, which already knows how to
// recreate any Sequential or Graph; the weights are then copied over by parameter name.
#include "convnet/transfer.h"

#include <cstring>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "convnet/graph.h"
#include "convnet/io/model_file.h"

namespace convnet {
namespace {

using json = nlohmann::json;

// Copies every parameter and state buffer of `from` into the one of the same name in `to`, except
// those of the layer named `skip`.
void copy_weights(Model& from, Model& to, const std::string& skip = "") {
  std::map<std::string, const Tensor*> source;
  for (const NamedParam& p : from.params()) source[p.name] = p.param.value;
  for (const NamedParam& p : to.params()) {
    if (p.layer->name() == skip) continue;
    const Tensor* src = source.at(p.name);
    // Only a new input size can change a shape: a Dense whose input grew with the image.
    if (src->shape() != p.param.value->shape())
      throw std::invalid_argument("with_input_shape: " + p.name + " would change from " +
                                  src->shape().str() + " to " + p.param.value->shape().str() +
                                  " (the weights fit only the model's own input size)");
    p.param.value->copy_from(*src);
  }
}

std::string output_layer_name(Model& model) {
  if (auto* graph = dynamic_cast<Graph*>(&model)) {
    if (graph->output_count() != 1)
      throw std::invalid_argument("replace_head: model '" + model.name() + "' has several outputs");
    return graph->output_names()[0];
  }
  const std::vector<Layer*> layers = model.layers();
  if (layers.empty())
    throw std::invalid_argument("replace_head: model '" + model.name() + "' has no layers");
  return layers.back()->name();
}

}  // namespace

int64_t freeze_until(Model& model, const std::string& layer) {
  const Layer* last = &model.layer(layer);
  bool frozen = true;
  int64_t count = 0;
  for (Layer* l : model.layers()) {
    l->set_trainable(!frozen);
    count += frozen;
    if (l == last) frozen = false;
  }
  return count;
}

std::unique_ptr<Model> replace_head(Model& model, int64_t classes, uint64_t seed) {
  if (classes < 1)
    throw std::invalid_argument("replace_head: classes must be >= 1, got " +
                                std::to_string(classes));
  const std::string head = output_layer_name(model);
  if (model.layer(head).type() != "Dense")
    throw std::invalid_argument("replace_head: the last layer '" + head + "' is a " +
                                model.layer(head).type() + ", expected a Dense classifier");
  json arch = json::parse(io::architecture_to_json(model));
  for (json& l : arch.at("layers"))
    if (l.at("name") == head) {
      l["config"]["units"] = classes;
      l["trainable"] = true;
    }
  auto out = io::model_from_json(arch.dump());
  copy_weights(model, *out, head);
  Rng rng(seed);
  out->layer(head).reset_parameters(rng);
  return out;
}

std::unique_ptr<Model> with_input_shape(Model& model, const Shape& input_shape) {
  json arch = json::parse(io::architecture_to_json(model));
  if (arch.contains("inputs")) {
    if (arch["inputs"].size() != 1)
      throw std::invalid_argument("with_input_shape: model '" + model.name() +
                                  "' has several inputs");
    arch["inputs"][0]["shape"] = input_shape.dims();
  } else {
    arch["input_shape"] = input_shape.dims();
  }
  auto out = io::model_from_json(arch.dump());
  copy_weights(model, *out);
  return out;
}

}  // namespace convnet
