// Maxout: the grouping convention, argmax routing and the lecture's max(w1^T x + b1, w2^T x + b2).
#include <gtest/gtest.h>

#include <vector>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

std::vector<float> values(const Tensor& t) { return {t.begin(), t.end()}; }

// Channels 0, 1 are unit 0's pieces and channels 2, 3 unit 1's (grouped, not interleaved).
TEST(Maxout, GroupsConsecutiveChannelsAndRoutesToTheArgmax) {
  Maxout m({.pieces = 2});
  const Tensor x = Tensor::from({1, 4, 1, 2}, {1, 5, 3, 2, 0, -1, -2, 7});
  const Tensor y = m.forward(x, Mode::train);
  ASSERT_EQ(y.shape(), Shape({1, 2, 1, 2}));
  EXPECT_EQ(values(y), (std::vector<float>{3, 5, 0, 7}));
  const Tensor dx = m.backward(Tensor::from({1, 2, 1, 2}, {10, 20, 30, 40}));
  EXPECT_EQ(values(dx), (std::vector<float>{0, 20, 10, 0, 30, 0, 0, 40}));
}

TEST(Maxout, VectorsThreePiecesFirstTieWins) {
  Maxout m({.pieces = 3});
  const Tensor x = Tensor::from({2, 6}, {4, 4, 1, -3, -1, -2, 0, 2, 2, 9, 8, 9});
  const Tensor y = m.forward(x, Mode::train);
  ASSERT_EQ(y.shape(), Shape({2, 2}));
  EXPECT_EQ(values(y), (std::vector<float>{4, -1, 2, 9}));
  EXPECT_EQ(values(m.backward(Tensor::from({2, 2}, {1, 2, 3, 4}))),
            (std::vector<float>{1, 0, 0, 0, 2, 0, 0, 3, 0, 4, 0, 0}));
}

// The lecture's formula: a Dense with 2 units holds (w1, b1) and (w2, b2); Maxout(2) keeps the max.
TEST(Maxout, LectureFormulaAfterDense) {
  Sequential net({3});
  auto& dense = net.add(Dense({.units = 2}));
  net.add(Maxout({.pieces = 2}));
  dense.weight().copy_from(Tensor::from({2, 3}, {1, 0, -1, 0.5, 0.5, 0.5}));
  dense.bias().copy_from(Tensor::from({2}, {1, -1}));
  // x = (2, 4, 6): w1.x + b1 = -4 + 1 = -3, w2.x + b2 = 6 - 1 = 5; x = (3, 0, -3): 7 vs -1.
  const Tensor y = net.forward(Tensor::from({2, 3}, {2, 4, 6, 3, 0, -3}));
  EXPECT_EQ(values(y), (std::vector<float>{5, 7}));
}

TEST(Maxout, ConfigAndShapeErrors) {
  Maxout m({.pieces = 3});
  EXPECT_EQ(m.output_shape({6, 4, 5}), Shape({2, 4, 5}));
  EXPECT_EQ(make_layer("Maxout", m.config())->config(), m.config());
  EXPECT_THROW(Maxout({.pieces = 0}), std::invalid_argument);
  Sequential net({4, 2, 2});
  try {
    net.add(Maxout({.pieces = 3}));
    FAIL() << "4 channels in pieces of 3 accepted";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("maxout (Maxout)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace convnet
