// LocalResponseNorm by hand: PyTorch's window (size/2 channels before, (size-1)/2 after), zero
// padding at the ends, and the gradient through the neighbours' energy.
#include <gtest/gtest.h>

#include <cmath>

#include "convnet/layers.h"

namespace convnet {
namespace {

void expect_near(const Tensor& t, std::initializer_list<float> want) {
  ASSERT_EQ(t.numel(), int64_t(want.size())) << t;
  int64_t i = 0;
  for (float w : want) EXPECT_NEAR(t[i++], w, 1e-6f) << "at flat index " << i - 1 << " of " << t;
}

TEST(LocalResponseNorm, OddWindowIsCentred) {
  // alpha / size = 1, beta = 1, k = 1: y_c = x_c / (1 + sum of squares over c-1..c+1).
  LocalResponseNorm lrn({.size = 3, .alpha = 3, .beta = 1, .k = 1});
  const Tensor y = lrn.forward(Tensor::from({1, 3, 1, 1}, {1, 2, 3}), Mode::eval);
  expect_near(y, {1.0f / 6, 2.0f / 15, 3.0f / 14});
}

TEST(LocalResponseNorm, EvenWindowLeansBackward) {
  // size 2: the window of c is {c - 1, c}, as PyTorch pads size/2 before and (size-1)/2 after.
  LocalResponseNorm lrn({.size = 2, .alpha = 2, .beta = 1, .k = 1});
  const Tensor y = lrn.forward(Tensor::from({1, 3, 1}, {1, 2, 3}), Mode::eval);
  expect_near(y, {1.0f / 2, 2.0f / 6, 3.0f / 14});
}

TEST(LocalResponseNorm, PowerAndPixelsAreIndependent) {
  // beta = 0.5, two pixels per channel that never mix: y = x / sqrt(k + alpha/size * window).
  LocalResponseNorm lrn({.size = 1, .alpha = 1, .beta = 0.5f, .k = 2});
  const Tensor y = lrn.forward(Tensor::from({1, 1, 1, 2}, {1, 7}), Mode::eval);
  expect_near(y, {1.0f / std::sqrt(3.0f), 7.0f / std::sqrt(51.0f)});
}

TEST(LocalResponseNorm, BackwardThroughTheNeighbours) {
  // C = 2, size 3, alpha/size = 1, beta = 1, k = 1, x = {1, 2}: s = 6 for both channels.
  // dy = {1, 0}: dx0 = 1/s - 2 x0^2 / s^2 = 1/9, dx1 = -2 x0 x1 / s^2 = -1/9.
  LocalResponseNorm lrn({.size = 3, .alpha = 3, .beta = 1, .k = 1});
  lrn.forward(Tensor::from({1, 2, 1, 1}, {1, 2}), Mode::train);
  expect_near(lrn.backward(Tensor::from({1, 2, 1, 1}, {1, 0})), {1.0f / 9, -1.0f / 9});
  // Within one channel (size 1): d/dx x / (1 + x^2) = (1 - x^2) / (1 + x^2)^2 = -3/25 at x = 2.
  LocalResponseNorm single({.size = 1, .alpha = 1, .beta = 1, .k = 1});
  single.forward(Tensor::from({1, 1, 1, 1}, {2}), Mode::train);
  expect_near(single.backward(Tensor::from({1, 1, 1, 1}, {1})), {-3.0f / 25});
}

TEST(LocalResponseNorm, ShapesConfigAndErrors) {
  const LocalResponseNorm lrn({.size = 5, .alpha = 1e-4f, .beta = 0.75f, .k = 2});
  EXPECT_EQ(lrn.output_shape({96, 55, 55}), Shape({96, 55, 55}));
  EXPECT_THROW(lrn.output_shape({96}), ShapeError);
  EXPECT_THROW(LocalResponseNorm({.size = 0}), std::invalid_argument);
  auto back = make_layer("LocalResponseNorm", lrn.config());
  EXPECT_EQ(back->config(), lrn.config());
  EXPECT_EQ(back->default_name(), "local_response_norm");
}

}  // namespace
}  // namespace convnet
