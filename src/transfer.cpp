// Both rebuilds go through the architecture JSON of model files, which already knows how to
// recreate any Sequential or Graph; the weights are then copied over by parameter name.
#include "convnet/transfer.h"

#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "convnet/io/model_file.h"
#include "convnet/vision/image_ops.h"

namespace convnet {
namespace {

using json = nlohmann::json;

// Copies every parameter and state buffer of `from` into the one of the same name in `to`, except
// those of the layer named `skip`.
void copy_weights(Model& from, Model& to, const char* who, const std::string& skip = "") {
  std::map<std::string, const Tensor*> source;
  for (const NamedParam& p : from.params()) source[p.name] = p.param.value;
  for (const NamedParam& p : to.params()) {
    if (p.layer->name() == skip) continue;
    const Tensor* src = source.at(p.name);
    // A new input size changes the weights of a Dense after a Flatten, a new head those of a
    // layer after it that has weights per feature: the old values cannot be used.
    if (src->shape() != p.param.value->shape())
      throw std::invalid_argument(std::string(who) + ": " + p.name + " would change from " +
                                  src->shape().str() + " to " + p.param.value->shape().str() +
                                  " (the trained weights do not fit)");
    p.param.value->copy_from(*src);
  }
}

// The classifier head: the last Dense layer in layers() order.
Layer& last_dense(Model& model, const char* who) {
  const std::vector<Layer*> layers = model.layers();
  for (size_t i = layers.size(); i-- > 0;)
    if (layers[i]->type() == "Dense") return *layers[i];
  throw std::invalid_argument(std::string(who) + ": model '" + model.name() +
                              "' has no Dense layer to serve as the head");
}

}  // namespace

void freeze_until(Model& model, const std::string& layer) {
  const Layer* head = layer.empty() ? &last_dense(model, "freeze_until") : nullptr;
  const Layer* last = layer.empty() ? nullptr : &model.layer(layer);
  bool frozen = true;
  for (Layer* l : model.layers()) {
    if (l == head) frozen = false;
    l->set_trainable(!frozen);
    if (l == last) frozen = false;
  }
}

std::unique_ptr<Model> replace_head(Model& model, int64_t classes, uint64_t seed) {
  if (classes < 1)
    throw std::invalid_argument("replace_head: classes must be >= 1, got " +
                                std::to_string(classes));
  const std::string head = last_dense(model, "replace_head").name();
  json arch = json::parse(io::architecture_to_json(model));
  for (json& l : arch.at("layers"))
    if (l.at("name") == head) {
      l["config"]["units"] = classes;
      l["trainable"] = true;
    }
  auto out = io::model_from_json(arch.dump());
  copy_weights(model, *out, "replace_head", head);
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
  copy_weights(model, *out, "with_input_shape");
  return out;
}

Tensor forward_any_size(Model& model, const Tensor& image) {
  if (image.rank() != 3)
    throw std::invalid_argument("forward_any_size: expected an image [C, H, W], got " +
                                image.shape().str());
  if (model.input_shape() == image.shape())
    return model.forward(image.reshape(image.shape().with_batch(1)), Mode::eval)
        .reshape(model.output_shape());
  const int64_t C = image.dim(0), H = image.dim(1), W = image.dim(2);
  std::string why = "no output of the input's size";
  for (int64_t m = 1; m <= 64; m *= 2) {
    const Shape padded{C, (H + m - 1) / m * m, (W + m - 1) / m * m};
    std::unique_ptr<Model> sized;
    try {
      sized = with_input_shape(model, padded);  // a size the poolings do not divide may not build
    } catch (const std::invalid_argument& e) {
      why = e.what();
      continue;
    }
    const Shape out = sized->output_shape();
    if (out.rank() != 3 || out[1] != padded[1] || out[2] != padded[2]) continue;
    const Tensor x = pad_edges(image, 0, 0, padded[1] - H, padded[2] - W);
    return crop(sized->forward(x.reshape(padded.with_batch(1)), Mode::eval).reshape(out), 0, 0, H,
                W);
  }
  throw std::invalid_argument("forward_any_size: model '" + model.name() + "' cannot run on " +
                              image.shape().str() + ": " + why);
}

}  // namespace convnet
