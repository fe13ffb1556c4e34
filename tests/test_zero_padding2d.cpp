// ZeroPadding2D: symmetric and asymmetric borders, the crop in backward, MobileNet's shapes.
#include <gtest/gtest.h>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

void expect_values(const Tensor& t, std::initializer_list<float> want) {
  ASSERT_EQ(t.numel(), int64_t(want.size())) << t;
  int64_t i = 0;
  for (float w : want) EXPECT_EQ(t[i++], w) << "at flat index " << i - 1 << " of " << t;
}

TEST(ZeroPadding2D, BottomRightAsKerasMobileNet) {
  ZeroPadding2D pad({.padding = {0, 1, 0, 1}});
  const Tensor x = Tensor::from({1, 1, 2, 2}, {1, 2, 3, 4});
  const Tensor y = pad.forward(x, Mode::train);
  EXPECT_EQ(y.shape(), Shape({1, 1, 3, 3}));
  expect_values(y, {1, 2, 0, 3, 4, 0, 0, 0, 0});
  const Tensor dx = pad.backward(Tensor::from({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  expect_values(dx, {1, 2, 4, 5});
}

TEST(ZeroPadding2D, AsymmetricOnEverySideAndChannels) {
  // top 1, bottom 0, left 2, right 1: 1x1 planes become 2x4, the value at row 1, column 2.
  ZeroPadding2D pad({.padding = {1, 0, 2, 1}});
  const Tensor y = pad.forward(Tensor::from({2, 2, 1, 1}, {1, 2, 3, 4}), Mode::train);
  EXPECT_EQ(y.shape(), Shape({2, 2, 2, 4}));
  for (int64_t p = 0; p < 4; ++p) {
    expect_values(Tensor::from({8}, y.data() + 8 * p), {0, 0, 0, 0, 0, 0, float(p + 1), 0});
  }
  Tensor dy(y.shape());
  for (int64_t i = 0; i < dy.numel(); ++i) dy[i] = float(i);
  expect_values(pad.backward(dy), {6, 14, 22, 30});
}

TEST(ZeroPadding2D, DefaultIsOneEverywhere) {
  ZeroPadding2D pad;
  EXPECT_EQ(pad.output_shape({3, 5, 7}), Shape({3, 7, 9}));
  EXPECT_EQ(ZeroPadding2D({.padding = Padding::valid}).output_shape({3, 5, 7}), Shape({3, 5, 7}));
  EXPECT_THROW(ZeroPadding2D({.padding = Padding::same}), std::invalid_argument);
  EXPECT_THROW(ZeroPadding2D({.padding = {0, -1, 0, 0}}), std::invalid_argument);
  EXPECT_THROW(pad.output_shape({3, 5}), ShapeError);
}

TEST(ZeroPadding2D, ConfigRoundTrip) {
  const ZeroPadding2D pad({.padding = {0, 1, 2, 3}});
  auto back = make_layer("ZeroPadding2D", pad.config());
  EXPECT_EQ(back->output_shape({1, 4, 4}), Shape({1, 5, 9}));
  EXPECT_EQ(back->default_name(), "zero_padding2d");
}

}  // namespace
}  // namespace convnet
