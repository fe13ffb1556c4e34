#include <cstdio>

#include "convnet/layers.h"
#include "convnet/zoo.h"
#include "zoo/common.h"

namespace convnet::zoo {
namespace {

// Keras' BatchNormalization defaults: epsilon 1e-3, momentum 0.99 (0.01 in PyTorch's convention).
BatchNorm2D keras_batch_norm(const std::string& name) {
  return detail::named(BatchNorm2D({.momentum = 0.01f, .eps = 1e-3f}), name);
}

// Keras' ReLU(6.), BatchNorm and ReLU6 after each convolution.
void normalize_and_activate(Sequential& m, const std::string& conv_name) {
  m.add(keras_batch_norm(conv_name + "_bn"));
  m.add(detail::named(ReLU6(), conv_name + "_relu"));
}

// Keras' _depthwise_conv_block: [ZeroPadding2D ((0, 1), (0, 1)) when strided], DepthwiseConv2D 3x3
// ('same' at stride 1, 'valid' after the padding at stride 2), BN, ReLU6, 1x1 Conv2D, BN, ReLU6.
void depthwise_separable(Sequential& m, int64_t filters, int64_t stride, int block) {
  const std::string id = std::to_string(block);
  if (stride > 1) m.add(detail::named(ZeroPadding2D({.padding = {0, 1, 0, 1}}), "conv_pad_" + id));
  m.add(detail::named(DepthwiseConv2D({.kernel = 3,
                                       .stride = stride,
                                       .padding = stride > 1 ? Padding::valid : Padding::same,
                                       .use_bias = false}),
                      "conv_dw_" + id));
  normalize_and_activate(m, "conv_dw_" + id);
  m.add(
      detail::named(Conv2D({.filters = filters, .kernel = 1, .use_bias = false}), "conv_pw_" + id));
  normalize_and_activate(m, "conv_pw_" + id);
}

}  // namespace

std::unique_ptr<Sequential> mobilenet(const ZooOptions& o) {
  if (!(o.alpha > 0.0f)) throw std::invalid_argument("mobilenet: alpha must be > 0");
  const Shape input = detail::input_shape(o, "mobilenet", {3, 224, 224}, 32);
  // Keras' name: mobilenet_<alpha>_<rows>.
  char name[64];
  std::snprintf(name, sizeof name, "mobilenet_%.2f_%lld", double(o.alpha), (long long)input[1]);
  auto m = detail::start(o, name, input, 32, /*takes_alpha=*/true);
  auto width = [&](int64_t channels) { return int64_t(float(channels) * o.alpha); };

  m->add(detail::named(ZeroPadding2D({.padding = {0, 1, 0, 1}}), "conv1_pad"));
  m->add(detail::named(Conv2D({.filters = width(32), .kernel = 3, .stride = 2, .use_bias = false}),
                       "conv1"));
  normalize_and_activate(*m, "conv1");
  // (pointwise filters, depthwise stride) of blocks 1..13.
  const int64_t blocks[13][2] = {{64, 1},  {128, 2},  {128, 1}, {256, 2}, {256, 1},
                                 {512, 2}, {512, 1},  {512, 1}, {512, 1}, {512, 1},
                                 {512, 1}, {1024, 2}, {1024, 1}};
  for (int b = 0; b < 13; ++b) depthwise_separable(*m, width(blocks[b][0]), blocks[b][1], b + 1);
  if (!o.include_top) return m;

  const int64_t features = width(1024), classes = detail::classes(o, 1000);
  m->add(detail::named(GlobalAvgPool2D(), "global_average_pooling2d"));
  m->add(detail::named(Reshape({.target_shape = {features, 1, 1}}), "reshape_1"));
  m->add(detail::named(Dropout({.rate = 1e-3f}), "dropout"));
  m->add(detail::named(Conv2D({.filters = classes, .kernel = 1, .padding = Padding::same}),
                       "conv_preds"));
  m->add(detail::named(Reshape({.target_shape = {classes}}), "reshape_2"));
  if (o.classifier_activation != Activation::linear)
    m->add(detail::named(ActivationLayer(o.classifier_activation, 0.0f),
                         "act_" + activation_name(o.classifier_activation)));
  return m;
}

}  // namespace convnet::zoo
