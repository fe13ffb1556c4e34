// Conv2DTranspose: the lecture's 2x2 -> 4x4 up-sampling and other hand-computed cases. Random
// configurations, finite-difference gradients and PyTorch parity come from the op registry.
#include <gtest/gtest.h>

#include <vector>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

std::vector<float> values(const Tensor& t) { return {t.begin(), t.end()}; }

const Tensor kX = Tensor::from({1, 1, 2, 2}, {1, 2, 3, 4});
const Tensor kW = Tensor::from({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});

// One 1 -> 1 channel layer on [1, 2, 2] with weights kW.
Tensor transpose_2x2(Conv2DTransposeOptions o) {
  Sequential m({1, 2, 2});
  auto& t = m.add(Conv2DTranspose(o));
  t.weight().copy_from(kW);
  return m.forward(kX);
}

// The uncropped output of kernel 3, stride 2 on kX is 5x5 (z[2i + a, 2j + b] += x[i, j] W[a, b]):
//    1  2  5  4  6
//    4  5 14 10 12
//   10 14 36 24 30
//   12 15 34 20 24
//   21 24 55 32 36
// PyTorch's padding 1 crops one row/column from each side, output_padding 1 gives one back at the
// bottom/right: rows and columns 1..4.
TEST(Conv2DTranspose, LectureUpsampling2x2To4x4PyTorchPadding) {
  const Tensor y = transpose_2x2(
      {.kernel = 3, .stride = 2, .padding = 1, .output_padding = 1, .use_bias = false});
  ASSERT_EQ(y.shape(), Shape({1, 1, 4, 4}));
  EXPECT_EQ(values(y), (std::vector<float>{5, 14, 10, 12, 14, 36, 24, 30, 15, 34, 20, 24, 24, 55,
                                           32, 36}));
}

// Keras 'same': the adjoint of a 'same' Conv2D from 4x4 to 2x2, whose padding (1) goes to the
// bottom/right, so the crop keeps rows and columns 0..3.
TEST(Conv2DTranspose, LectureUpsampling2x2To4x4KerasSame) {
  const Tensor y =
      transpose_2x2({.kernel = 3, .stride = 2, .padding = Padding::same, .use_bias = false});
  ASSERT_EQ(y.shape(), Shape({1, 1, 4, 4}));
  EXPECT_EQ(values(y),
            (std::vector<float>{1, 2, 5, 4, 4, 5, 14, 10, 10, 14, 36, 24, 12, 15, 34, 20}));
}

// The other classic 2x2 -> 4x4: kernel 3, stride 1, no padding (the full correlation).
TEST(Conv2DTranspose, Kernel3Stride1Valid) {
  const Tensor y = transpose_2x2({.kernel = 3, .use_bias = false});
  ASSERT_EQ(y.shape(), Shape({1, 1, 4, 4}));
  EXPECT_EQ(values(y),
            (std::vector<float>{1, 4, 7, 6, 7, 23, 33, 24, 19, 53, 63, 42, 21, 52, 59, 36}));
}

// Kernel 2, stride 2: non-overlapping 2x2 copies of the kernel scaled by each input pixel.
TEST(Conv2DTranspose, Kernel2Stride2TilesTheKernel) {
  Sequential m({1, 2, 2});
  auto& t = m.add(Conv2DTranspose({.kernel = 2, .stride = 2, .use_bias = false}));
  t.weight().copy_from(Tensor::from({1, 1, 2, 2}, {0, 1, 2, 3}));
  const Tensor y = m.forward(Tensor::from({1, 1, 2, 2}, {0, 1, 2, 3}));
  EXPECT_EQ(values(y), (std::vector<float>{0, 0, 0, 1, 0, 0, 2, 3, 0, 2, 0, 3, 4, 6, 6, 9}));
}

// Two groups of one channel, 1x1 kernels, stride 2: zeros between the scaled inputs, plus bias.
TEST(Conv2DTranspose, GroupsAndBias) {
  Sequential m({2, 1, 2});
  auto& t = m.add(Conv2DTranspose({.filters = 2, .kernel = 1, .stride = 2, .groups = 2}));
  ASSERT_EQ(t.weight().shape(), Shape({2, 1, 1, 1}));
  t.weight().copy_from(Tensor::from({2, 1, 1, 1}, {2, 3}));
  t.bias().copy_from(Tensor::from({2}, {10, 20}));
  const Tensor y = m.forward(Tensor::from({1, 2, 1, 2}, {1, 2, 3, 4}));
  ASSERT_EQ(y.shape(), Shape({1, 2, 1, 3}));
  EXPECT_EQ(values(y), (std::vector<float>{12, 10, 14, 29, 20, 32}));
}

// dy = 1 on the 4x4 output of the PyTorch-padded example. Output row o receives input row i
// through kernel row a = o - 2i + 1, so row 0 of x reaches output rows through a = 1, 2 and row 1
// through a = 0, 1, 2: dx[i, j] sums W over those rows and columns; dW[a, b] sums the x[i, j]
// that reach the output through tap (a, b); db = 16 outputs.
TEST(Conv2DTranspose, BackwardOfLectureExampleAccumulates) {
  Sequential m({1, 2, 2});
  auto& t = m.add(Conv2DTranspose({.kernel = 3, .stride = 2, .padding = 1, .output_padding = 1}));
  t.weight().copy_from(kW);
  const Tensor y = m.forward(kX, Mode::train);
  m.zero_grad();
  const Tensor dx = m.backward(Tensor::full(y.shape(), 1.0f));
  EXPECT_EQ(values(dx), (std::vector<float>{28, 39, 33, 45}));
  const std::vector<float> dw{4, 7, 7, 6, 10, 10, 6, 10, 10};
  EXPECT_EQ(values(*t.params()[0].grad), dw);
  EXPECT_EQ(values(*t.params()[1].grad), std::vector<float>{16});
  m.backward(Tensor::full(y.shape(), 1.0f));
  std::vector<float> twice = dw;
  for (float& v : twice) v *= 2;
  EXPECT_EQ(values(*t.params()[0].grad), twice);
}

TEST(Conv2DTranspose, OutputShapes) {
  auto out = [](Conv2DTransposeOptions o, Shape in) { return Conv2DTranspose(o).output_shape(in); };
  // (H - 1) * S + D * (F - 1) + 1 + output_padding - P_top - P_bottom
  EXPECT_EQ(out({.filters = 4, .kernel = 3}, {2, 5, 7}), Shape({4, 7, 9}));
  EXPECT_EQ(out({.kernel = {3, 2}, .stride = {2, 3}}, {1, 5, 4}), Shape({1, 11, 11}));
  EXPECT_EQ(out({.kernel = 3, .stride = 2, .padding = {1, 0, 2, 1}, .output_padding = {1, 0}},
                {1, 3, 3}),
            Shape({1, 7, 4}));
  EXPECT_EQ(out({.kernel = 3, .stride = 1, .output_padding = 1, .dilation = 2}, {1, 4, 4}),
            Shape({1, 9, 9}));
  // 'same' is H * S whatever the kernel, one smaller or larger than the stride.
  EXPECT_EQ(out({.kernel = 1, .stride = 3, .padding = Padding::same}, {1, 5, 2}),
            Shape({1, 15, 6}));
  EXPECT_EQ(out({.kernel = 5, .stride = {2, 1}, .padding = Padding::same}, {1, 5, 2}),
            Shape({1, 10, 2}));
}

TEST(Conv2DTranspose, ParameterLayoutAndConfig) {
  Sequential m({6, 3, 3});
  auto& t = m.add(Conv2DTranspose({.filters = 4, .kernel = {3, 2}, .stride = 2, .padding = 1,
                                   .output_padding = 1, .groups = 2}));
  EXPECT_EQ(t.name(), "conv2d_transpose");
  EXPECT_EQ(t.weight().shape(), Shape({6, 2, 3, 2}));  // [C, K / groups, F_h, F_w]
  EXPECT_EQ(t.params()[0].name, "weight");
  EXPECT_EQ(t.params()[1].name, "bias");
  EXPECT_EQ(t.param_count(), 6 * 2 * 3 * 2 + 4);
  const auto rebuilt = make_layer("Conv2DTranspose", t.config());
  EXPECT_EQ(rebuilt->config(), t.config());
  EXPECT_EQ(rebuilt->output_shape({6, 3, 3}), t.output_shape({6, 3, 3}));
}

TEST(Conv2DTranspose, RejectsBadOptionsAndShapes) {
  EXPECT_THROW(Conv2DTranspose({.stride = 2, .output_padding = 2}), std::invalid_argument);
  EXPECT_THROW(Conv2DTranspose({}).output_shape({2, 2}), ShapeError);
  EXPECT_THROW(Conv2DTranspose({.stride = 2, .padding = Padding::same, .output_padding = 1}),
               std::invalid_argument);
  EXPECT_THROW(Conv2DTranspose({.filters = 3, .groups = 2}), std::invalid_argument);
  EXPECT_THROW(Conv2DTranspose({.padding = {-1, 0, 0, 0}}), std::invalid_argument);
  Sequential m({3, 2, 2});
  try {
    m.add(Conv2DTranspose({.filters = 2, .groups = 2}));
    FAIL() << "3 channels in 2 groups accepted";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("conv2d_transpose (Conv2DTranspose)"), std::string::npos)
        << e.what();
  }
  // Cropping 2 + 2 from a 1 + 2 = 3 row output leaves nothing.
  EXPECT_THROW(Conv2DTranspose({.kernel = 3, .padding = 2}).output_shape({1, 1, 4}), ShapeError);
}

}  // namespace
}  // namespace convnet
