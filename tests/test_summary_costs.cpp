// MACs and receptive-field windows of the layers beyond Conv2D, Dense and pooling, by hand.
#include <gtest/gtest.h>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

TEST(SummaryCosts, DepthwiseConv2DMacsAndField) {
  Sequential m({4, 9, 9});
  m.add(DepthwiseConv2D({.kernel = 3, .stride = 2, .depth_multiplier = 2}));  // [8, 4, 4]
  m.add(DepthwiseConv2D({.kernel = 3, .padding = Padding::same, .dilation = 2}));
  const ModelSummary s = m.summary_info();
  EXPECT_EQ(s.layers[0].macs, 8 * 4 * 4 * 9);
  EXPECT_EQ(s.layers[0].receptive_field, Size2(3));
  EXPECT_EQ(s.layers[0].jump, Size2(2));
  // Dilation 2: an effective 5x5 window over units 2 apart.
  EXPECT_EQ(s.layers[1].receptive_field, Size2(3 + 4 * 2));
  EXPECT_EQ(s.layers[1].macs, 8 * 4 * 4 * 9);
}

TEST(SummaryCosts, ZeroPaddingKeepsTheField) {
  Sequential m({1, 8, 8});
  m.add(Conv2D({.filters = 1, .kernel = 3}));
  m.add(ZeroPadding2D({.padding = {0, 1, 2, 3}}));
  const ModelSummary s = m.summary_info();
  EXPECT_EQ(s.layers[1].receptive_field, Size2(3));
  EXPECT_EQ(s.layers[1].jump, Size2(1));
  EXPECT_EQ(s.layers[1].macs, 0);
  const Layer::Window w = m.layers()[1]->window();
  EXPECT_EQ(w.pad_top, 0);
  EXPECT_EQ(w.pad_left, 2);
}

// Conv 3x3 s2 (field 3, jump 2), then a transposed conv 3x3 s2: each output reads ceil(3 / 2) = 2
// neighbouring inputs, 2 pixels apart (field 3 + 2 = 5), and its neighbours are 1 pixel apart.
TEST(SummaryCosts, Conv2DTransposeMacsAndField) {
  Sequential m({2, 9, 9});
  m.add(Conv2D({.filters = 3, .kernel = 3, .stride = 2}));  // [3, 4, 4]
  m.add(
      Conv2DTranspose({.filters = 5, .kernel = 3, .stride = 2, .padding = 1, .output_padding = 1}));
  const ModelSummary s = m.summary_info();
  EXPECT_EQ(s.layers[1].output_shape, Shape({5, 8, 8}));
  // Every input element scatters into 5 filters x 9 taps.
  EXPECT_EQ(s.layers[1].macs, 3 * 4 * 4 * 5 * 9);
  EXPECT_EQ(s.layers[1].receptive_field, Size2(5));
  EXPECT_EQ(s.layers[1].jump, Size2(1));
}

TEST(SummaryCosts, UpSamplingDividesTheJump) {
  Sequential m({1, 16, 16});
  m.add(MaxPool2D({.pool = 2}));
  m.add(MaxPool2D({.pool = 2}));  // field 4, jump 4
  m.add(UpSampling2D({.size = 2}));
  m.add(UpSampling2D({.size = 2, .interpolation = Interpolation::bilinear}));
  const ModelSummary s = m.summary_info();
  EXPECT_EQ(s.layers[2].receptive_field, Size2(4));
  EXPECT_EQ(s.layers[2].jump, Size2(2));
  EXPECT_EQ(s.layers[3].receptive_field, Size2(4 + 2));
  EXPECT_EQ(s.layers[3].jump, Size2(1));
}

}  // namespace
}  // namespace convnet
