#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "zoo/common.h"

namespace convnet::zoo {

std::unique_ptr<Sequential> mnist_cnn(const ZooOptions& o) {
  auto m = detail::start(o, "mnist-cnn", {1, 28, 28}, 10);
  m->add(Conv2D({.filters = 32, .kernel = 3, .activation = Activation::relu}));
  m->add(MaxPool2D());
  m->add(Conv2D({.filters = 64, .kernel = 3, .activation = Activation::relu}));
  m->add(MaxPool2D());
  if (!o.include_top) return m;
  m->add(Flatten());
  m->add(Dropout({.rate = 0.5f}));
  m->add(Dense({.units = detail::classes(o, 10), .activation = o.classifier_activation}));
  return m;
}

std::unique_ptr<Sequential> cifar_vgg(const ZooOptions& o) {
  auto m = detail::start(o, "cifar-vgg", {3, 32, 32}, 8);
  for (int64_t filters : {32, 64, 128}) {
    for (int i = 0; i < 2; ++i) {
      // BatchNorm's beta takes the place of the convolution's bias.
      m->add(
          Conv2D({.filters = filters, .kernel = 3, .padding = Padding::same, .use_bias = false}));
      m->add(BatchNorm2D());
      m->add(ReLU());
    }
    m->add(MaxPool2D());
  }
  if (!o.include_top) return m;
  m->add(Flatten());
  m->add(Dense({.units = 256, .activation = Activation::relu}));
  m->add(Dropout({.rate = 0.5f}));
  m->add(Dense({.units = detail::classes(o, 10), .activation = o.classifier_activation}));
  return m;
}

}  // namespace convnet::zoo
