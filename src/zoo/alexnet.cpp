#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "zoo/common.h"

namespace convnet::zoo {

std::unique_ptr<Sequential> alexnet(const ZooOptions& o) {
  auto m = detail::start(o, "alexnet", {3, 224, 224}, 63);
  const Activation relu = Activation::relu;
  detail::TorchSequence features(*m, "features");
  features.add_with_relu(
      Conv2D({.filters = 64, .kernel = 11, .stride = 4, .padding = 2, .activation = relu}));
  features.add(MaxPool2D({.pool = 3, .stride = 2}));
  features.add_with_relu(Conv2D({.filters = 192, .kernel = 5, .padding = 2, .activation = relu}));
  features.add(MaxPool2D({.pool = 3, .stride = 2}));
  features.add_with_relu(Conv2D({.filters = 384, .kernel = 3, .padding = 1, .activation = relu}));
  features.add_with_relu(Conv2D({.filters = 256, .kernel = 3, .padding = 1, .activation = relu}));
  features.add_with_relu(Conv2D({.filters = 256, .kernel = 3, .padding = 1, .activation = relu}));
  features.add(MaxPool2D({.pool = 3, .stride = 2}));
  if (!o.include_top) return m;
  // torchvision's AdaptiveAvgPool2d(6) is the identity on the 6x6 map of a 224x224 input (zoo.h).
  m->add(Flatten());
  detail::TorchSequence classifier(*m, "classifier");
  classifier.add(Dropout());
  classifier.add_with_relu(Dense({.units = 4096, .activation = relu}));
  classifier.add(Dropout());
  classifier.add_with_relu(Dense({.units = 4096, .activation = relu}));
  classifier.add(Dense({.units = detail::classes(o, 1000), .activation = o.classifier_activation}));
  return m;
}

}  // namespace convnet::zoo
