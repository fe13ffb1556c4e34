// The lecture's worked examples, number for number.
#include <gtest/gtest.h>

#include "convnet/layers.h"
#include "convnet/sequential.h"
#include "convnet/zoo.h"

namespace convnet {
namespace {

void expect_values(const Tensor& t, std::initializer_list<float> want) {
  ASSERT_EQ(t.numel(), int64_t(want.size())) << t;
  int64_t i = 0;
  for (float w : want) EXPECT_FLOAT_EQ(t[i++], w) << "at flat index " << i - 1 << " of " << t;
}

// "Convolution for a single channel": 5x5 input, 3x3 filter, stride 1, no padding.
TEST(LectureExamples, SingleChannelConvolution) {
  Sequential m({1, 5, 5});
  auto& conv = m.add(Conv2D({.filters = 1, .kernel = 3, .use_bias = false}));
  conv.weight().copy_from(Tensor::from({1, 1, 3, 3}, {0, 1, 2, 2, 2, 0, 0, 1, 2}));
  const Tensor x = Tensor::from(
      {1, 1, 5, 5}, {3, 3, 2, 1, 0, 0, 0, 1, 3, 1, 3, 1, 2, 2, 3, 2, 0, 0, 2, 2, 2, 0, 0, 0, 1});
  expect_values(m.forward(x), {12, 12, 17, 10, 17, 19, 9, 6, 14});
}

// "Max pooling": 4x4 slice, window 2, stride 2.
TEST(LectureExamples, MaxPooling) {
  MaxPool2D pool({.pool = 2, .stride = 2});
  const Tensor x = Tensor::from({1, 1, 4, 4}, {1, 2, 5, 6, 3, 4, 2, 8, 3, 4, 4, 2, 1, 5, 6, 3});
  expect_values(pool.forward(x, Mode::eval), {4, 8, 5, 6});
}

TEST(LectureExamples, OutputSizes) {
  // 512x512 with F = 5, S = 1, no padding -> 508.
  EXPECT_EQ(Conv2D({.filters = 5, .kernel = 5}).output_shape({3, 512, 512}), Shape({5, 508, 508}));
  // 10x10, F = 5, 'same' (pad (W-1)/2 = 2) stays 10x10.
  EXPECT_EQ(Conv2D({.filters = 1, .kernel = 5, .padding = Padding::same}).output_shape({1, 10, 10}),
            Shape({1, 10, 10}));
  EXPECT_EQ(Conv2D({.filters = 1, .kernel = 5, .padding = 2}).output_shape({1, 10, 10}),
            Shape({1, 10, 10}));
  // 10x10, F = 5, S = 2, 'valid': (10 - 5) / 2 + 1 "doesn't fit" -> floor gives 3x3.
  EXPECT_EQ(Conv2D({.filters = 1, .kernel = 5, .stride = 2}).output_shape({1, 10, 10}),
            Shape({1, 3, 3}));
  // 10x10, F = 5, S = 1 -> 6x6.
  EXPECT_EQ(Conv2D({.filters = 1, .kernel = 5}).output_shape({1, 10, 10}), Shape({1, 6, 6}));
}

// "5 filters of size 5x5x3: 75 x 5 = 375 weights" (plus one bias per filter).
TEST(LectureExamples, ParameterSharing) {
  Sequential m({3, 32, 32});
  auto& conv = m.add(Conv2D({.filters = 5, .kernel = 5}));
  EXPECT_EQ(conv.weight().numel(), 375);
  EXPECT_EQ(conv.bias().numel(), 5);
  EXPECT_EQ(conv.param_count(), 380);
  // Independent of the input size: the same filters slide over every position.
  Sequential big({3, 512, 512});
  EXPECT_EQ(big.add(Conv2D({.filters = 5, .kernel = 5})).param_count(), 380);
}

TEST(LectureExamples, LeNetLikeSummary) {
  auto m = zoo::lenet_lecture();
  const ModelSummary s = m->summary_info();
  const std::vector<std::pair<Shape, int64_t>> want{
      {{6, 30, 30}, 60}, {{6, 15, 15}, 0}, {{16, 13, 13}, 880}, {{16, 6, 6}, 0},
      {{576}, 0},        {{120}, 69240},   {{84}, 10164},       {{10}, 850}};
  ASSERT_EQ(s.layers.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(s.layers[i].output_shape, want[i].first) << s.layers[i].name;
    EXPECT_EQ(s.layers[i].params, want[i].second) << s.layers[i].name;
  }
  EXPECT_EQ(s.total_params, 81194);
  EXPECT_EQ(s.trainable_params, 81194);
  EXPECT_EQ(s.non_trainable_params, 0);
  const std::string text = m->summary();
  EXPECT_NE(text.find("Total params: 81,194"), std::string::npos) << text;
  EXPECT_NE(text.find("conv2d_1 (Conv2D)"), std::string::npos) << text;
}

TEST(LectureExamples, LeNet5Params) {
  EXPECT_EQ(zoo::lenet5()->count_params(), 61706);
}

}  // namespace
}  // namespace convnet

namespace convnet {
namespace {

// Receptive fields by hand: r += (k - 1) * jump, jump *= stride.
TEST(TeachingSummary, LeNet5ReceptiveFieldsAndMacs) {
  const ModelSummary s = zoo::lenet5()->summary_info();
  const std::vector<int64_t> fields{5, 6, 14, 16};
  const std::vector<int64_t> jumps{1, 2, 2, 4};
  for (size_t i = 0; i < fields.size(); ++i) {
    EXPECT_EQ(s.layers[i].receptive_field.h, fields[i]) << s.layers[i].name;
    EXPECT_EQ(s.layers[i].receptive_field.w, fields[i]) << s.layers[i].name;
    EXPECT_EQ(s.layers[i].jump.h, jumps[i]) << s.layers[i].name;
  }
  // conv 6*28*28*25 + conv 16*10*10*150 + dense 400*120 + 120*84 + 84*10
  EXPECT_EQ(s.layers[0].macs, 6 * 28 * 28 * 25);
  EXPECT_EQ(s.total_macs, 117600 + 240000 + 48000 + 10080 + 840);
  EXPECT_EQ(s.layers[0].activation_bytes, 6 * 28 * 28 * 4);
}

}  // namespace
}  // namespace convnet
