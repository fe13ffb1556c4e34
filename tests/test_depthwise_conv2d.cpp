// DepthwiseConv2D and the pointwise (1x1) Conv2D of MobileNet's separable convolutions: channel
// mapping by hand, the direct depthwise kernel and the 1x1 GEMM path against the seven-loop
// references, Keras' parameter counts and MobileNet's first block.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "convnet/layers.h"
#include "convnet/sequential.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"

namespace convnet {
namespace {

using kernels::ConvGeom;

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

std::vector<float> normal_vector(int64_t n, Rng& rng) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = rng.normal();
  return v;
}

void expect_close(const std::vector<float>& got, const std::vector<float>& want, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_NEAR(got[i], want[i], 1e-5 * (1 + std::fabs(want[i]))) << what << " at " << i;
}

// Forward, backward_data (overwriting) and backward_weights (accumulating) against the references.
template <typename Fwd, typename Data, typename Weights>
void check_against_reference(const ConvGeom& g, Fwd fwd, Data data, Weights weights) {
  Rng rng(uint64_t(g.IC * 131 + g.OC * 17 + g.KH));
  const int64_t src_n = g.N * g.IC * g.IH * g.IW, dst_n = g.N * g.OC * g.OH * g.OW;
  const int64_t w_n = g.OC * (g.IC / g.G) * g.KH * g.KW;
  const auto src = normal_vector(src_n, rng), w = normal_vector(w_n, rng);
  const auto bias = normal_vector(g.OC, rng), diff_dst = normal_vector(dst_n, rng);
  std::vector<float> dst(static_cast<size_t>(dst_n)), dst_ref(dst.size());
  fwd(g, src.data(), w.data(), bias.data(), dst.data());
  kernels::conv2d_forward_ref(g, src.data(), w.data(), bias.data(), dst_ref.data());
  expect_close(dst, dst_ref, "dst");
  std::vector<float> dsrc(static_cast<size_t>(src_n), NAN), dsrc_ref(dsrc.size());
  data(g, diff_dst.data(), w.data(), dsrc.data());
  kernels::conv2d_backward_data_ref(g, diff_dst.data(), w.data(), dsrc_ref.data());
  expect_close(dsrc, dsrc_ref, "diff_src");
  auto dw = normal_vector(w_n, rng), dw_ref = dw;
  auto db = normal_vector(g.OC, rng), db_ref = db;
  weights(g, src.data(), diff_dst.data(), dw.data(), db.data());
  kernels::conv2d_backward_weights_ref(g, src.data(), diff_dst.data(), dw_ref.data(),
                                       db_ref.data());
  expect_close(dw, dw_ref, "diff_weights");
  expect_close(db, db_ref, "diff_bias");
}

// Odd sizes, strides, asymmetric padding, dilation and depth multipliers.
TEST(DepthwiseConv2D, KernelMatchesGroupedReference) {
  struct Case {
    int64_t N, C, M, IH, IW, KH, KW, SH, SW, PT, PB, PL, PR, DH, DW;
  };
  const Case cases[] = {
      {2, 3, 1, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1},  {1, 2, 3, 6, 7, 3, 2, 2, 3, 0, 1, 0, 1, 1, 1},
      {3, 1, 2, 9, 8, 2, 3, 1, 2, 2, 0, 1, 2, 2, 3},  {1, 4, 1, 5, 5, 5, 5, 1, 1, 2, 2, 2, 2, 1, 1},
      {2, 2, 2, 4, 11, 1, 3, 3, 1, 0, 0, 3, 0, 1, 2}, {1, 3, 1, 3, 3, 3, 3, 2, 2, 0, 0, 0, 0, 1, 1},
  };
  for (const Case& c : cases) {
    ConvGeom g;
    g.N = c.N, g.IC = c.C, g.OC = c.C * c.M, g.IH = c.IH, g.IW = c.IW, g.KH = c.KH, g.KW = c.KW;
    g.SH = c.SH, g.SW = c.SW, g.PT = c.PT, g.PL = c.PL, g.DH = c.DH, g.DW = c.DW, g.G = c.C;
    g.OH = (c.IH + c.PT + c.PB - dilated(c.KH, c.DH)) / c.SH + 1;
    g.OW = (c.IW + c.PL + c.PR - dilated(c.KW, c.DW)) / c.SW + 1;
    SCOPED_TRACE("C=" + std::to_string(c.C) + " M=" + std::to_string(c.M) + " " +
                 std::to_string(c.IH) + "x" + std::to_string(c.IW));
    check_against_reference(g, kernels::depthwise_conv2d_forward,
                            kernels::depthwise_conv2d_backward_data,
                            kernels::depthwise_conv2d_backward_weights);
  }
}

// 1x1, stride 1, no padding: conv2d's GEMM-on-the-input path, with and without groups.
TEST(Conv2DPointwise, FastPathMatchesReference) {
  for (const int64_t groups : {1, 2, 3}) {
    ConvGeom g;
    g.N = 3, g.IC = 6, g.OC = 3 * groups, g.IH = g.OH = 5, g.IW = g.OW = 7, g.KH = g.KW = 1;
    g.G = groups;
    SCOPED_TRACE("groups=" + std::to_string(groups));
    check_against_reference(g, kernels::conv2d_forward, kernels::conv2d_backward_data,
                            kernels::conv2d_backward_weights);
  }
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
