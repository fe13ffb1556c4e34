#include <array>
#include <vector>

#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "zoo/common.h"

namespace convnet::zoo {
namespace {

// One column of the paper's Table 1: the kernel sizes of each block's convolutions (blocks of 64,
// 128, 256, 512 and 512 filters, each closed by a max-pool).
struct Column {
  const char* name;
  std::array<std::vector<int64_t>, 5> blocks;
  bool lrn = false;  // LocalResponseNorm after the first convolution (A-LRN)
};

Column column(VggConfig c) {
  using V = std::vector<int64_t>;
  switch (c) {
    case VggConfig::A:
      return {"vgg11", {V{3}, V{3}, V{3, 3}, V{3, 3}, V{3, 3}}};
    case VggConfig::A_LRN:
      return {"vgg11-lrn", {V{3}, V{3}, V{3, 3}, V{3, 3}, V{3, 3}}, true};
    case VggConfig::B:
      return {"vgg13", {V{3, 3}, V{3, 3}, V{3, 3}, V{3, 3}, V{3, 3}}};
    case VggConfig::C:
      return {"vgg16c", {V{3, 3}, V{3, 3}, V{3, 3, 1}, V{3, 3, 1}, V{3, 3, 1}}};
    case VggConfig::D:
      return {"vgg16", {V{3, 3}, V{3, 3}, V{3, 3, 3}, V{3, 3, 3}, V{3, 3, 3}}};
    case VggConfig::E:
      return {"vgg19", {V{3, 3}, V{3, 3}, V{3, 3, 3, 3}, V{3, 3, 3, 3}, V{3, 3, 3, 3}}};
  }
  throw std::invalid_argument("vgg: unknown configuration");
}

}  // namespace

std::unique_ptr<Sequential> vgg(VggConfig config, const ZooOptions& o) {
  const Column col = column(config);
  auto m = detail::start(o, col.name, {3, 224, 224}, 32);
  const Activation relu = Activation::relu;
  const int64_t filters[5] = {64, 128, 256, 512, 512};
  detail::TorchSequence features(*m, "features");
  bool lrn_pending = col.lrn;  // A-LRN: after the very first convolution
  for (size_t b = 0; b < 5; ++b) {
    for (int64_t k : col.blocks[b]) {
      features.add_with_relu(Conv2D(
          {.filters = filters[b], .kernel = k, .padding = Padding::same, .activation = relu}));
      // The paper's LRN is AlexNet's: size 5, alpha 1e-4 per summed square (5e-4 here), beta
      // 0.75, k 2.
      if (lrn_pending)
        features.add(LocalResponseNorm({.size = 5, .alpha = 5e-4f, .beta = 0.75f, .k = 2.0f}));
      lrn_pending = false;
    }
    features.add(MaxPool2D({.pool = 2}));
  }
  if (!o.include_top) return m;
  // torchvision's AdaptiveAvgPool2d(7) is the identity on the 7x7 map of a 224x224 input.
  m->add(Flatten());
  detail::TorchSequence classifier(*m, "classifier");
  classifier.add_with_relu(Dense({.units = 4096, .activation = relu}));
  classifier.add(Dropout());
  classifier.add_with_relu(Dense({.units = 4096, .activation = relu}));
  classifier.add(Dropout());
  classifier.add(Dense({.units = detail::classes(o, 1000), .activation = o.classifier_activation}));
  return m;
}

}  // namespace convnet::zoo
