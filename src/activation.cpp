#include "convnet/activation.h"

#include <array>
#include <stdexcept>
#include <utility>

namespace convnet {
namespace {

constexpr std::array<std::pair<Activation, const char*>, 8> kNames{{
    {Activation::linear, "linear"},
    {Activation::relu, "relu"},
    {Activation::leaky_relu, "leaky_relu"},
    {Activation::elu, "elu"},
    {Activation::sigmoid, "sigmoid"},
    {Activation::tanh, "tanh"},
    {Activation::softmax, "softmax"},
    {Activation::relu6, "relu6"},
}};

}  // namespace

std::string activation_name(Activation a) {
  for (const auto& [kind, name] : kNames)
    if (kind == a) return name;
  throw std::invalid_argument("unknown activation");
}

Activation activation_from_name(const std::string& name) {
  std::string known;
  for (const auto& [kind, n] : kNames) {
    if (name == n) return kind;
    known += (known.empty() ? "" : ", ") + std::string(n);
  }
  if (name.empty() || name == "none") return Activation::linear;
  throw std::invalid_argument("unknown activation '" + name + "' (known: " + known + ")");
}

}  // namespace convnet
