// UpSampling2D: hand-computed nearest and bilinear cases. Random sizes, finite-difference
// gradients and PyTorch parity (F.interpolate) come from the op registry.
#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "convnet/layers.h"

namespace convnet {
namespace {

std::vector<float> values(const Tensor& t) { return {t.begin(), t.end()}; }
Tensor iota(Shape s) {
  Tensor t(std::move(s));
  std::iota(t.begin(), t.end(), 0.0f);
  return t;
}

const Tensor kX = Tensor::from({1, 1, 2, 3}, {1, 2, 4, 3, 5, 0});

TEST(UpSampling2D, NearestRepeatsEachPixel) {
  UpSampling2D up({.size = {2, 3}});
  const Tensor y = up.forward(kX, Mode::train);
  ASSERT_EQ(y.shape(), Shape({1, 1, 4, 9}));
  const std::vector<float> r0{1, 1, 1, 2, 2, 2, 4, 4, 4}, r1{3, 3, 3, 5, 5, 5, 0, 0, 0};
  std::vector<float> want;
  for (const auto* r : {&r0, &r0, &r1, &r1}) want.insert(want.end(), r->begin(), r->end());
  EXPECT_EQ(values(y), want);
  // dx sums the 2x3 block of dy = 0, 1, ..., 35 (rows of 9) that copies each pixel.
  EXPECT_EQ(values(up.backward(iota(y.shape()))),
            (std::vector<float>{33, 51, 69, 141, 159, 177}));
}

// Along a row of kX with factor 2 the source points are max((o + 0.5) / 2 - 0.5, 0) = 0, 0.25,
// 0.75, 1.25, 1.75, 2.25 (clamped to the last column): 1, 1.25, 1.75, 2.5, 3.5, 4.
TEST(UpSampling2D, BilinearMatchesHalfPixelCentres) {
  UpSampling2D up({.size = 2, .interpolation = Interpolation::bilinear});
  const Tensor y = up.forward(kX, Mode::train);
  ASSERT_EQ(y.shape(), Shape({1, 1, 4, 6}));
  EXPECT_EQ(values(y), (std::vector<float>{1, 1.25, 1.75, 2.5, 3.5, 4,                  //
                                           1.5, 1.8125, 2.4375, 2.8125, 2.9375, 3,      //
                                           2.5, 2.9375, 3.8125, 3.4375, 1.8125, 1,      //
                                           3, 3.5, 4.5, 3.75, 1.25, 0}));
  // The adjoint of the same weights, for dy = 0, 1, ..., 23 (PyTorch's x.grad agrees).
  EXPECT_EQ(values(up.backward(iota(y.shape()))),
            (std::vector<float>{17.5, 25, 32.5, 59.5, 67, 74.5}));
}

TEST(UpSampling2D, BilinearOfOnePixelIsConstant) {
  UpSampling2D up({.size = {3, 2}, .interpolation = Interpolation::bilinear});
  const Tensor y = up.forward(Tensor::from({2, 1, 1, 1}, {7, -2}), Mode::train);
  EXPECT_EQ(values(y), (std::vector<float>{7, 7, 7, 7, 7, 7, -2, -2, -2, -2, -2, -2}));
  EXPECT_EQ(values(up.backward(Tensor::full(y.shape(), 0.5f))), (std::vector<float>{3, 3}));
}

TEST(UpSampling2D, ConfigAndShapeErrors) {
  UpSampling2D up({.size = {2, 3}, .interpolation = Interpolation::bilinear});
  EXPECT_EQ(up.default_name(), "up_sampling2d");
  EXPECT_EQ(up.output_shape({4, 5, 6}), Shape({4, 10, 18}));
  const auto rebuilt = make_layer("UpSampling2D", up.config());
  EXPECT_EQ(rebuilt->config(), up.config());
  EXPECT_THROW(make_layer("UpSampling2D", Config().set("interpolation", std::string("cubic"))),
               std::invalid_argument);
  EXPECT_THROW(UpSampling2D({.size = 0}), std::invalid_argument);
  EXPECT_THROW(up.output_shape({5, 6}), ShapeError);
}

}  // namespace
}  // namespace convnet
