#include <functional>
#include <map>
#include <stdexcept>

#include "convnet/zoo.h"

namespace convnet::zoo {
namespace {

using Builder = std::function<std::unique_ptr<Model>(const ZooOptions&)>;

Builder vgg_builder(VggConfig c) {
  return [c](const ZooOptions& o) { return vgg(c, o); };
}
Builder resnet_builder(int depth) {
  return [depth](const ZooOptions& o) { return resnet(depth, o); };
}

const std::map<std::string, Builder>& builders() {
  static const std::map<std::string, Builder> table{
      {"lenet-lecture", [](const ZooOptions& o) { return lenet_lecture(o); }},
      {"lenet5", [](const ZooOptions& o) { return lenet5(o); }},
      {"alexnet", [](const ZooOptions& o) { return alexnet(o); }},
      {"vgg11", vgg_builder(VggConfig::A)},
      {"vgg11-lrn", vgg_builder(VggConfig::A_LRN)},
      {"vgg13", vgg_builder(VggConfig::B)},
      {"vgg16c", vgg_builder(VggConfig::C)},
      {"vgg16", vgg_builder(VggConfig::D)},
      {"vgg19", vgg_builder(VggConfig::E)},
      {"mobilenet", [](const ZooOptions& o) { return mobilenet(o); }},
      {"resnet18", resnet_builder(18)},
      {"resnet34", resnet_builder(34)},
      {"resnet50", resnet_builder(50)},
      {"resnet101", resnet_builder(101)},
      {"resnet152", resnet_builder(152)},
      {"mnist-cnn", [](const ZooOptions& o) { return mnist_cnn(o); }},
      {"cifar-vgg", [](const ZooOptions& o) { return cifar_vgg(o); }},
      {"autoencoder", [](const ZooOptions& o) { return autoencoder(o); }},
      {"denoising-autoencoder", [](const ZooOptions& o) { return denoising_autoencoder(o); }},
      {"srcnn", [](const ZooOptions& o) { return srcnn(o); }},
      {"unet-small", [](const ZooOptions& o) { return unet_small(o); }},
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
