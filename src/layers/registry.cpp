// The one table from type names to layers: model files, ONNX import and the CLI rebuild layers
// through it.
#include <functional>
#include <map>
#include <stdexcept>

#include "convnet/layers.h"

namespace convnet {
namespace {

using Factory = std::function<std::unique_ptr<Layer>(const Config&)>;

template <typename L>
Factory plain() {
  return [](const Config&) { return std::make_unique<L>(); };
}

const std::map<std::string, Factory>& factories() {
  static const std::map<std::string, Factory> table{
      {"Add", Add::from_config},
      {"Multiply", Multiply::from_config},
      {"Concatenate", Concatenate::from_config},
      {"BatchNorm1D", BatchNorm1D::from_config},
      {"BatchNorm2D", BatchNorm2D::from_config},
      {"Conv2D", Conv2D::from_config},
      {"DepthwiseConv2D", DepthwiseConv2D::from_config},
      {"Conv2DTranspose", Conv2DTranspose::from_config},
      {"Dense", Dense::from_config},
      {"Dropout", Dropout::from_config},
      {"Flatten", Flatten::from_config},
      {"Reshape", Reshape::from_config},
      {"Maxout", Maxout::from_config},
      {"MaxPool2D", MaxPool2D::from_config},
      {"AvgPool2D", AvgPool2D::from_config},
      {"ZeroPadding2D", ZeroPadding2D::from_config},
      {"LocalResponseNorm", LocalResponseNorm::from_config},
      {"UpSampling2D", UpSampling2D::from_config},
      {"GlobalAvgPool2D",
       [](const Config& c) {
         return std::make_unique<GlobalAvgPool2D>(GlobalPool2DOptions{c.get_bool("keepdims", false)});
       }},
      {"GlobalMaxPool2D",
       [](const Config& c) {
         return std::make_unique<GlobalMaxPool2D>(GlobalPool2DOptions{c.get_bool("keepdims", false)});
       }},
      {"ReLU", plain<ReLU>()},
      {"ReLU6", plain<ReLU6>()},
      {"PReLU", PReLU::from_config},
      {"Sigmoid", plain<Sigmoid>()},
      {"Tanh", plain<Tanh>()},
      {"Softmax", plain<Softmax>()},
      {"LeakyReLU",
       [](const Config& c) {
         return std::make_unique<LeakyReLU>(LeakyReLUOptions{float(c.get_float("alpha", 0.01))});
       }},
      {"ELU",
       [](const Config& c) {
         return std::make_unique<ELU>(ELUOptions{float(c.get_float("alpha", 1.0))});
       }},
  };
  return table;
}

}  // namespace

std::unique_ptr<Layer> make_layer(const std::string& type, const Config& config) {
  const auto& table = factories();
  auto it = table.find(type);
  if (it == table.end()) {
    std::string known;
    for (const auto& [name, _] : table) known += (known.empty() ? "" : ", ") + name;
    throw std::invalid_argument("unknown layer type '" + type + "' (known: " + known + ")");
  }
  return it->second(config);
}

std::vector<std::string> layer_types() {
  std::vector<std::string> names;
  for (const auto& [name, _] : factories()) names.push_back(name);
  return names;
}

}  // namespace convnet
