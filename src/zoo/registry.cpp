#include <functional>
#include <map>
#include <stdexcept>

#include "convnet/zoo.h"

namespace convnet::zoo {
namespace {

using Builder = std::function<std::unique_ptr<Model>(const ZooOptions&)>;

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> table{
      {"lenet-lecture", [](const ZooOptions& o) { return lenet_lecture(o); }},
      {"lenet5", [](const ZooOptions& o) { return lenet5(o); }},
  };
  return table;
}

}  // namespace

std::unique_ptr<Model> make_model(const std::string& name, const ZooOptions& o) {
  auto it = builders().find(name);
  if (it == builders().end()) {
    std::string known;
    for (const auto& n : model_names()) known += (known.empty() ? "" : ", ") + n;
    throw std::invalid_argument("unknown model '" + name + "' (known: " + known + ")");
  }
  return it->second(o);
}

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& [n, _] : builders()) names.push_back(n);
  return names;
}

}  // namespace convnet::zoo
