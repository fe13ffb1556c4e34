#include <stdexcept>

#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "zoo/common.h"

namespace convnet::zoo {
namespace {

using detail::named;

// Builds torchvision's modules into a graph; every layer is named by its module path.
class ResNetBuilder {
 public:
  ResNetBuilder(Graph& g, bool bottleneck) : g_(g), bottleneck_(bottleneck) {}

  // A Conv2D (padding kernel / 2; no bias, as BatchNorm follows) and its BatchNorm2D.
  SymbolicTensor conv_bn(SymbolicTensor x, const std::string& conv, const std::string& bn,
                         int64_t filters, int64_t kernel, int64_t stride) {
    x = g_.add(named(Conv2D({.filters = filters,
                             .kernel = kernel,
                             .stride = stride,
                             .padding = kernel / 2,
                             .use_bias = false}),
                     conv),
               x);
    return g_.add(named(BatchNorm2D(), bn), x);
  }
  SymbolicTensor relu(SymbolicTensor x, const std::string& name) {
    return g_.add(named(ReLU(), name), x);
  }

  // BasicBlock: 3x3 (stride) -> BN -> ReLU -> 3x3 -> BN. Bottleneck (v1.5): 1x1 -> BN -> ReLU ->
  // 3x3 (stride) -> BN -> ReLU -> 1x1 (4 * planes) -> BN. Either way, + shortcut, then ReLU. The
  // shortcut is a 1x1 conv (stride) + BN when the shape changes, the identity otherwise.
  SymbolicTensor block(SymbolicTensor x, const std::string& p, int64_t planes, int64_t stride) {
    const int64_t out_channels = bottleneck_ ? 4 * planes : planes;
    SymbolicTensor h;
    if (bottleneck_) {
      h = relu(conv_bn(x, p + "conv1", p + "bn1", planes, 1, 1), p + "relu1");
      h = relu(conv_bn(h, p + "conv2", p + "bn2", planes, 3, stride), p + "relu2");
      h = conv_bn(h, p + "conv3", p + "bn3", out_channels, 1, 1);
    } else {
      h = relu(conv_bn(x, p + "conv1", p + "bn1", planes, 3, stride), p + "relu1");
      h = conv_bn(h, p + "conv2", p + "bn2", planes, 3, 1);
    }
    SymbolicTensor shortcut = x;
    if (stride != 1 || x.shape[0] != out_channels)
      shortcut = conv_bn(x, p + "downsample.0", p + "downsample.1", out_channels, 1, stride);
    const SymbolicTensor sum = g_.add(named(Add(), p + "add"), {h, shortcut});
    return relu(sum, p + (bottleneck_ ? "relu3" : "relu2"));
  }

 private:
  Graph& g_;
  bool bottleneck_;
};

struct Depth {
  bool bottleneck;
  int blocks[4];
};

Depth depth_of(int depth) {
  switch (depth) {
    case 18:
      return {false, {2, 2, 2, 2}};
    case 34:
      return {false, {3, 4, 6, 3}};
    case 50:
      return {true, {3, 4, 6, 3}};
    case 101:
      return {true, {3, 4, 23, 3}};
    case 152:
      return {true, {3, 8, 36, 3}};
    default:
      throw std::invalid_argument("resnet: depth must be 18, 34, 50, 101 or 152, got " +
                                  std::to_string(depth));
  }
}

}  // namespace

std::unique_ptr<Graph> resnet(int depth, const ZooOptions& o) {
  const Depth d = depth_of(depth);
  const std::string name = "resnet" + std::to_string(depth);
  detail::require_unit_alpha(o, name);
  auto g = std::make_unique<Graph>(GraphOptions{.name = name, .seed = o.seed});
  ResNetBuilder b(*g, d.bottleneck);

  SymbolicTensor x = g->input(detail::input_shape(o, name, {3, 224, 224}, 32));
  x = b.relu(b.conv_bn(x, "conv1", "bn1", 64, 7, 2), "relu");
  x = g->add(named(MaxPool2D({.pool = 3, .stride = 2, .padding = 1}), "maxpool"), x);
  for (int stage = 0; stage < 4; ++stage) {
    const int64_t planes = int64_t(64) << stage;
    for (int i = 0; i < d.blocks[stage]; ++i) {
      const std::string prefix =
          "layer" + std::to_string(stage + 1) + "." + std::to_string(i) + ".";
      x = b.block(x, prefix, planes, stage > 0 && i == 0 ? 2 : 1);
    }
  }
  if (o.include_top) {
    x = g->add(named(GlobalAvgPool2D(), "avgpool"), x);
    x = g->add(
        named(Dense({.units = detail::classes(o, 1000), .activation = o.classifier_activation}),
              "fc"),
        x);
  }
  g->set_outputs({x});
  return g;
}

}  // namespace convnet::zoo
