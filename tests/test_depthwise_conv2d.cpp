// DepthwiseConv2D by hand: the channel mapping, Keras' parameter counts and MobileNet's first
// block. (Its kernel against the references: test_kernels.cpp; gradients and PyTorch parity: the
// op registry.)
#include <gtest/gtest.h>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

void expect_values(const Tensor& t, std::initializer_list<float> want) {
  ASSERT_EQ(t.numel(), int64_t(want.size())) << t;
  int64_t i = 0;
  for (float w : want) EXPECT_FLOAT_EQ(t[i++], w) << "at flat index " << i - 1 << " of " << t;
}

// Output channel c * M + m filters input channel c (PyTorch's groups = C order, and Keras').
TEST(DepthwiseConv2D, EachFilterSeesOneChannel) {
  Rng rng;
  DepthwiseConv2D dw({.kernel = 2, .depth_multiplier = 2});
  dw.build({2, 3, 3}, rng);
  dw.weight().copy_from(
      Tensor::from({4, 1, 2, 2}, {1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, -1, 0, 0}));
  dw.bias().copy_from(Tensor::from({4}, {0, 0, 0, 100}));
  Tensor x({1, 2, 3, 3});
  for (int64_t i = 0; i < 18; ++i) x[i] = float(i + 1);
  const Tensor y = dw.forward(x, Mode::train);
  EXPECT_EQ(y.shape(), Shape({1, 4, 2, 2}));
  expect_values(y, {1, 2, 4, 5, 5, 6, 8, 9, 48, 52, 60, 64, 99, 99, 99, 99});
  // dy = 1 on output channel 1 only: its bottom-right tap sends 1 to x[0, 0, 1..2, 1..2].
  Tensor dy(y.shape());
  for (int64_t i = 4; i < 8; ++i) dy[i] = 1;
  expect_values(dw.backward(dy), {0, 0, 0, 0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  // dW[1] = sum over the 2x2 outputs of the input under each tap: 1+2+4+5, 2+3+5+6, ...
  const Tensor& dw_grad = *dw.params()[0].grad;
  EXPECT_FLOAT_EQ(dw_grad[4], 12);
  EXPECT_FLOAT_EQ(dw_grad[7], 28);
  EXPECT_FLOAT_EQ(dw_grad[0], 0);
  expect_values(*dw.params()[1].grad, {0, 4, 0, 0});
}

TEST(DepthwiseConv2D, KerasParameterCounts) {
  Rng rng;
  DepthwiseConv2D no_bias({.kernel = 3, .padding = Padding::same, .use_bias = false});
  no_bias.build({32, 10, 10}, rng);
  EXPECT_EQ(no_bias.param_count(), 288);
  EXPECT_EQ(no_bias.params().size(), 1u);
  DepthwiseConv2D with_bias({.kernel = 3, .depth_multiplier = 2});
  EXPECT_EQ(with_bias.output_shape({4, 10, 10}), Shape({8, 8, 8}));
  with_bias.build({4, 10, 10}, rng);
  EXPECT_EQ(with_bias.param_count(), (9 + 1) * 8);
  EXPECT_EQ(with_bias.weight().shape(), Shape({8, 1, 3, 3}));
  EXPECT_THROW(with_bias.output_shape({4, 2, 2}), ShapeError);
  EXPECT_THROW(DepthwiseConv2D({.depth_multiplier = 0}), std::invalid_argument);
}

// The lecture's mobilenet_full.summary(), first rows (224x224 input).
TEST(DepthwiseConv2D, MobileNetFirstBlock) {
  Sequential m({3, 224, 224});
  m.add(ZeroPadding2D({.padding = {0, 1, 0, 1}}));
  m.add(Conv2D({.filters = 32, .kernel = 3, .stride = 2, .use_bias = false}));
  m.add(BatchNorm2D());
  m.add(ReLU6());
  m.add(DepthwiseConv2D({.kernel = 3, .padding = Padding::same, .use_bias = false}));
  m.add(BatchNorm2D());
  m.add(ReLU6());
  m.add(Conv2D({.filters = 64, .kernel = 1, .padding = Padding::same, .use_bias = false}));
  m.add(BatchNorm2D());
  m.add(ReLU6());
  m.add(ZeroPadding2D({.padding = {0, 1, 0, 1}}));
  m.add(DepthwiseConv2D({.kernel = 3, .stride = 2, .use_bias = false}));
  const ModelSummary s = m.summary_info();
  const std::vector<std::pair<Shape, int64_t>> want = {
      {{3, 225, 225}, 0},    {{32, 112, 112}, 864}, {{32, 112, 112}, 128}, {{32, 112, 112}, 0},
      {{32, 112, 112}, 288}, {{32, 112, 112}, 128}, {{32, 112, 112}, 0},   {{64, 112, 112}, 2048},
      {{64, 112, 112}, 256}, {{64, 112, 112}, 0},   {{64, 113, 113}, 0},   {{64, 56, 56}, 576}};
  ASSERT_EQ(s.layers.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(s.layers[i].output_shape, want[i].first) << s.layers[i].name;
    EXPECT_EQ(s.layers[i].params, want[i].second) << s.layers[i].name;
  }
  EXPECT_EQ(s.layers[4].name, "depthwise_conv2d");
  EXPECT_EQ(s.non_trainable_params, (32 + 32 + 64) * 2);
}

TEST(DepthwiseConv2D, ConfigRoundTrip) {
  const DepthwiseConv2D dw({.kernel = {3, 2},
                            .stride = 2,
                            .padding = {0, 1, 0, 1},
                            .dilation = 2,
                            .depth_multiplier = 3,
                            .use_bias = false,
                            .activation = Activation::relu6});
  auto back = make_layer("DepthwiseConv2D", dw.config());
  EXPECT_EQ(back->config(), dw.config());
  EXPECT_EQ(back->output_shape({2, 9, 9}), dw.output_shape({2, 9, 9}));
}

}  // namespace
}  // namespace convnet
