#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "zoo/common.h"

namespace convnet::zoo {
namespace {

// The shared LeNet shape: two convolutions with average pooling, then the 120-84-classes head.
std::unique_ptr<Sequential> lenet(const std::string& name, const ZooOptions& o, Shape default_input,
                                  int64_t min_size, Size2 kernel, Padding first_padding) {
  auto m = detail::start(o, name, default_input, min_size);
  m->add(Conv2D(
      {.filters = 6, .kernel = kernel, .padding = first_padding, .activation = Activation::relu}));
  m->add(AvgPool2D());
  m->add(Conv2D({.filters = 16, .kernel = kernel, .activation = Activation::relu}));
  m->add(AvgPool2D());
  if (!o.include_top) return m;
  m->add(Flatten());
  m->add(Dense({.units = 120, .activation = Activation::relu}));
  m->add(Dense({.units = 84, .activation = Activation::relu}));
  m->add(Dense({.units = detail::classes(o, 10), .activation = o.classifier_activation}));
  return m;
}

}  // namespace

std::unique_ptr<Sequential> lenet_lecture(const ZooOptions& o) {
  return lenet("lenet-lecture", o, {1, 32, 32}, 10, 3, Padding::valid);
}

std::unique_ptr<Sequential> lenet5(const ZooOptions& o) {
  return lenet("lenet5", o, {1, 28, 28}, 12, 5, Padding::same);
}

}  // namespace convnet::zoo
