// PReLU (per-channel and shared slopes) and ReLU6, hand-computed.
#include <gtest/gtest.h>

#include <vector>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

std::vector<float> values(const Tensor& t) { return {t.begin(), t.end()}; }

TEST(PReLU, PerChannelSlopes) {
  Sequential net({2, 3});
  auto& p = net.add(PReLU());
  EXPECT_EQ(p.name(), "prelu");
  EXPECT_EQ(values(p.weight()), (std::vector<float>{0.25, 0.25}));  // PyTorch's init
  p.weight().copy_from(Tensor::from({2}, {0.25, -2}));
  const Tensor x = Tensor::from({1, 2, 3}, {-4, 0, 3, -1, 2, -0.5});
  EXPECT_EQ(values(net.forward(x, Mode::train)), (std::vector<float>{-1, 0, 3, 2, 2, 1}));
  net.zero_grad();
  const Tensor dx = net.backward(Tensor::from({1, 2, 3}, {1, 2, 3, 4, 5, 6}));
  // x <= 0 passes a * dy (also at 0, as PyTorch); da sums dy * x there.
  EXPECT_EQ(values(dx), (std::vector<float>{0.25, 0.5, 3, -8, 5, -12}));
  EXPECT_EQ(values(*p.params()[0].grad), (std::vector<float>{-4, -7}));
}

TEST(PReLU, SharedSlopeOnVectors) {
  Sequential net({3});
  auto& p = net.add(PReLU({.shared = true, .init = 0.5f}));
  ASSERT_EQ(p.weight().shape(), Shape({1}));
  const Tensor x = Tensor::from({2, 3}, {-2, 1, -4, 3, -6, 0});
  EXPECT_EQ(values(net.forward(x, Mode::train)), (std::vector<float>{-1, 1, -2, 3, -3, 0}));
  net.zero_grad();
  net.backward(Tensor::full({2, 3}, 1.0f));
  EXPECT_EQ(values(*p.params()[0].grad), std::vector<float>{-12});
  EXPECT_EQ(make_layer("PReLU", p.config())->config(), p.config());
}

TEST(PReLU, ShapeErrorNamesTheLayer) {
  Sequential net({2, 3});
  auto& p = net.add(PReLU());
  try {
    p.forward(Tensor({1, 3, 3}), Mode::eval);
    FAIL() << "3 channels accepted by a PReLU built for 2";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("prelu (PReLU)"), std::string::npos) << e.what();
  }
}

// ReLU6: min(max(0, x), 6), gradient 1 strictly inside (0, 6) and 0 at the kinks (PyTorch).
TEST(ReLU6, ClipsAtZeroAndSix) {
  auto layer = make_layer("ReLU6", {});
  EXPECT_EQ(layer->type(), "ReLU6");
  const Tensor x = Tensor::from({1, 6}, {-1, 0, 3, 6, 7, 5.5});
  EXPECT_EQ(values(layer->forward(x, Mode::train)), (std::vector<float>{0, 0, 3, 6, 6, 5.5}));
  EXPECT_EQ(values(layer->backward(Tensor::full({1, 6}, 2.0f))),
            (std::vector<float>{0, 0, 2, 0, 0, 2}));
}

}  // namespace
}  // namespace convnet
