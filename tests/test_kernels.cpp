// The fast kernels against their plain references: conv2d (im2col + GEMM, its 1x1 path, and the
// direct kernels for stride-1 convolutions with few channels) and the direct depthwise kernel against the seven-loop definitions on the registry's Conv2D and
// DepthwiseConv2D geometries, and gemm against the triple loop, to float rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "convnet/layers/conv2d.h"
#include "convnet/layers/depthwise_conv2d.h"
#include "kernels/conv2d.h"
#include "kernels/conv2d_direct.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/gemm.h"
#include "kernels/pool2d.h"
#include "layers/geometry.h"
#include "support/compare.h"
#include "support/op_registry.h"

namespace convnet::test {
namespace {

using kernels::ConvGeom;

// Float accumulation over up to a few hundred terms against double: ~1e-6 of the largest value.
constexpr double kRtol = 1e-5;

ConvGeom geom_of(const OpCase& c) {
  const auto layer = c.make();
  const Shape in = c.input.without_batch(), out = layer->output_shape(in);
  if (const auto* dw = dynamic_cast<const DepthwiseConv2D*>(layer.get())) {
    const DepthwiseConv2DOptions& o = dw->options();
    return conv_geom(c.input[0], in, out, o.kernel, o.stride, o.padding, o.dilation, in[0]);
  }
  return conv_geom(c.input[0], in, out, dynamic_cast<const Conv2D&>(*layer).options());
}

// Batches up to 8, so that im2col lays several images side by side.
std::vector<OpCase> conv_cases() {
  return op_cases("Conv2D", 60, 77, {.max_batch = 8, .max_input_numel = 3000});
}

// The three kernels of one convolution implementation.
struct ConvKernels {
  decltype(&kernels::conv2d_forward) forward;
  decltype(&kernels::conv2d_backward_data) backward_data;
  decltype(&kernels::conv2d_backward_weights) backward_weights;
};
constexpr ConvKernels kIm2colGemm{kernels::conv2d_forward, kernels::conv2d_backward_data,
                                  kernels::conv2d_backward_weights};
constexpr ConvKernels kDirect{kernels::conv2d_direct_forward,
                              kernels::conv2d_direct_backward_data,
                              kernels::conv2d_direct_backward_weights};
constexpr ConvKernels kDepthwise{kernels::depthwise_conv2d_forward,
                                 kernels::depthwise_conv2d_backward_data,
                                 kernels::depthwise_conv2d_backward_weights};

// k against the seven-loop references on random data of geometry g.
void expect_matches_references(const ConvGeom& g, const ConvKernels& k, bool use_bias, Rng& rng) {
  const Shape src_shape{g.N, g.IC, g.IH, g.IW}, dst_shape{g.N, g.OC, g.OH, g.OW};
  const Shape w_shape{g.OC, g.IC / g.G, g.KH, g.KW}, b_shape{g.OC};
  const auto src = random_vector(src_shape.numel(), rng);
  const auto weights = random_vector(w_shape.numel(), rng);
  const auto bias = random_vector(g.OC, rng);
  const auto diff_dst = random_vector(dst_shape.numel(), rng);
  const float* b = use_bias ? bias.data() : nullptr;

  // forward overwrites too (layers hand it uninitialized tensors): start from garbage.
  std::vector<float> dst(size_t(dst_shape.numel()), std::numeric_limits<float>::quiet_NaN());
  std::vector<float> dst_ref(dst.size());
  k.forward(g, src.data(), weights.data(), b, dst.data());
  kernels::conv2d_forward_ref(g, src.data(), weights.data(), b, dst_ref.data());
  EXPECT_TRUE(all_close("dst", dst_shape, dst.data(), dst_ref.data(), kRtol));

  // backward_data overwrites: start from garbage.
  std::vector<float> diff_src(size_t(src_shape.numel()), std::numeric_limits<float>::quiet_NaN());
  std::vector<float> diff_src_ref(diff_src.size());
  k.backward_data(g, diff_dst.data(), weights.data(), diff_src.data());
  kernels::conv2d_backward_data_ref(g, diff_dst.data(), weights.data(), diff_src_ref.data());
  EXPECT_TRUE(all_close("diff_src", src_shape, diff_src.data(), diff_src_ref.data(), kRtol));

  // backward_weights accumulates: start both from the same non-zero gradients.
  auto diff_w = random_vector(w_shape.numel(), rng), diff_w_ref = diff_w;
  auto diff_b = random_vector(g.OC, rng), diff_b_ref = diff_b;
  k.backward_weights(g, src.data(), diff_dst.data(), diff_w.data(), diff_b.data());
  kernels::conv2d_backward_weights_ref(g, src.data(), diff_dst.data(), diff_w_ref.data(),
                                       diff_b_ref.data());
  EXPECT_TRUE(all_close("diff_weights", w_shape, diff_w.data(), diff_w_ref.data(), kRtol));
  EXPECT_TRUE(all_close("diff_bias", b_shape, diff_b.data(), diff_b_ref.data(), kRtol));
}

TEST(ConvKernels, MatchReferencesOnRegistryGeometries) {
  Rng rng(1);
  int batched = 0, pointwise = 0;
  for (const OpCase& c : conv_cases()) {
    SCOPED_TRACE(c.label);
    const ConvGeom g = geom_of(c);
    batched += g.N > 1;
    pointwise += g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.OH == g.IH && g.OW == g.IW;
    expect_matches_references(g, kIm2colGemm, c.attrs.get_bool("use_bias"), rng);
  }
  EXPECT_GT(batched, 30);
  EXPECT_GT(pointwise, 0);  // conv2d's 1x1 path, which skips im2col
}

// 1x1, stride 1, no padding (MobileNet's pointwise convolutions): the GEMM-on-the-input path,
// with groups and several images.
TEST(ConvKernels, PointwisePathMatchesReferences) {
  Rng rng(4);
  for (const int64_t groups : {1, 2, 3}) {
    ConvGeom g;
    g.N = 3, g.IC = 6, g.OC = 3 * groups, g.IH = g.OH = 5, g.IW = g.OW = 7, g.KH = g.KW = 1;
    g.G = groups;
    SCOPED_TRACE("groups " + std::to_string(groups));
    expect_matches_references(g, kIm2colGemm, groups != 2, rng);
  }
}

// A random stride-1 geometry the direct kernels take: odd sizes, dilation, padding up to past the
// kernel's extent on any side (backward-data then crops), batches across several of
// backward-weights' chunks of 8 images, channel counts that leave partial register blocks.
ConvGeom random_direct_geometry(Rng& rng) {
  auto pick = [&](int64_t lo, int64_t hi) { return lo + int64_t(rng.below(uint64_t(hi - lo + 1))); };
  ConvGeom g;
  g.N = pick(1, 19), g.IC = pick(1, 7), g.OC = pick(1, 11);
  g.KH = pick(1, 5), g.KW = pick(g.KH == 1 ? 2 : 1, 5);
  g.DH = pick(1, 2), g.DW = pick(1, 2);
  g.PT = pick(0, (g.KH - 1) * g.DH + 1), g.PL = pick(0, (g.KW - 1) * g.DW + 1);
  // Input at least the dilated kernel; bottom/right padding anywhere from none to the same.
  g.IH = pick((g.KH - 1) * g.DH + 1, 17), g.IW = pick((g.KW - 1) * g.DW + 1, 23);
  g.OH = g.IH + g.PT + pick(0, g.PT) - (g.KH - 1) * g.DH;
  g.OW = g.IW + g.PL + pick(0, g.PL) - (g.KW - 1) * g.DW;
  return g;
}

TEST(ConvDirectKernels, MatchReferencesOnRandomGeometries) {
  Rng rng(6);
  for (int trial = 0; trial < 60; ++trial) {
    const ConvGeom g = random_direct_geometry(rng);
    SCOPED_TRACE(testing::Message() << "N " << g.N << " IC " << g.IC << " OC " << g.OC << " in "
                                    << g.IH << "x" << g.IW << " kernel " << g.KH << "x" << g.KW
                                    << " dilation " << g.DH << "x" << g.DW << " pad " << g.PT
                                    << "," << g.PL << " out " << g.OH << "x" << g.OW);
    ASSERT_TRUE(kernels::conv2d_direct_applies(g));
    expect_matches_references(g, kDirect, trial % 4 != 0, rng);
  }
}

// LeNet-5's two convolutions, which conv2d dispatches to the direct kernels.
TEST(ConvDirectKernels, MatchReferencesOnLeNet5Layers) {
  Rng rng(7);
  const ConvGeom conv1{.N = 9, .IC = 1, .IH = 28, .IW = 28, .OC = 6, .KH = 5, .KW = 5,
                       .PT = 2, .PL = 2, .OH = 28, .OW = 28};
  const ConvGeom conv2{.N = 9, .IC = 6, .IH = 14, .IW = 14, .OC = 16, .KH = 5, .KW = 5,
                       .OH = 10, .OW = 10};
  for (const ConvGeom& g : {conv1, conv2}) {
    EXPECT_TRUE(kernels::conv2d_direct_applies(g));
    expect_matches_references(g, kDirect, true, rng);
    expect_matches_references(g, kIm2colGemm, true, rng);  // the dispatching entry points
  }
}

TEST(ConvDirectKernels, LeaveStridesGroupsAndWideLayersToIm2col) {
  const ConvGeom base{.N = 2, .IC = 6, .IH = 14, .IW = 14, .OC = 16, .KH = 5, .KW = 5,
                      .OH = 10, .OW = 10};
  ConvGeom strided = base, grouped = base, wide = base, pointwise = base;
  strided.SW = 2, strided.OW = 5;
  grouped.G = 2;
  wide.OC = 64;
  pointwise.KH = pointwise.KW = 1, pointwise.OH = pointwise.OW = 14;
  EXPECT_TRUE(kernels::conv2d_direct_applies(base));
  for (const ConvGeom& g : {strided, grouped, wide, pointwise})
    EXPECT_FALSE(kernels::conv2d_direct_applies(g));
}

// The direct depthwise kernel against the grouped references with G = IC.
TEST(DepthwiseKernels, MatchGroupedReferencesOnRegistryGeometries) {
  Rng rng(5);
  for (const OpCase& c :
       op_cases("DepthwiseConv2D", 45, 78, {.max_batch = 4, .max_input_numel = 2000})) {
    SCOPED_TRACE(c.label);
    expect_matches_references(geom_of(c), kDepthwise, c.attrs.get_bool("use_bias"), rng);
  }
}

// col2im is im2col's adjoint: <im2col(x), c> = <x, col2im(c)>.
TEST(ConvKernels, Col2imIsTheAdjointOfIm2col) {
  Rng rng(2);
  for (const OpCase& c : conv_cases()) {
    SCOPED_TRACE(c.label);
    const ConvGeom g = geom_of(c);
    const int64_t rows = g.IC * g.KH * g.KW, cols = g.N * g.OH * g.OW;
    const auto x = random_vector(g.N * g.IC * g.IH * g.IW, rng);
    const auto col = random_vector(rows * cols, rng);
    std::vector<float> x_col(col.size()), col_x(x.size(), 0.0f);
    kernels::im2col(g, g.N, x.data(), x_col.data());
    kernels::col2im(g, g.N, col.data(), col_x.data());
    double lhs = 0.0, rhs = 0.0, magnitude = 0.0;
    for (size_t i = 0; i < col.size(); ++i) {
      lhs += double(x_col[i]) * col[i];
      magnitude += std::abs(double(x_col[i]) * col[i]);
    }
    for (size_t i = 0; i < x.size(); ++i) rhs += double(x[i]) * col_x[i];
    EXPECT_NEAR(lhs, rhs, 1e-5 * magnitude);
  }
}

// Average pooling's 2x2 stride-2 path against the definition, with and without an odd row and
// column past the last window (which get no gradient).
TEST(PoolKernels, AvgPool2x2MatchesTheDefinition) {
  Rng rng(8);
  for (const auto& [IH, IW] : {std::pair<int64_t, int64_t>{4, 6}, {7, 9}, {28, 28}, {10, 11}}) {
    const kernels::PoolGeom g{.N = 2, .C = 3, .IH = IH, .IW = IW, .KH = 2, .KW = 2, .SH = 2,
                              .SW = 2, .OH = IH / 2, .OW = IW / 2};
    SCOPED_TRACE(testing::Message() << IH << "x" << IW);
    const Shape in{g.N, g.C, IH, IW}, out{g.N, g.C, g.OH, g.OW};
    const auto src = random_vector(in.numel(), rng), diff_dst = random_vector(out.numel(), rng);
    std::vector<float> dst(size_t(out.numel())), dst_ref(dst.size());
    std::vector<float> diff_src(size_t(in.numel()), std::numeric_limits<float>::quiet_NaN());
    std::vector<float> diff_src_ref(diff_src.size(), 0.0f);
    for (int64_t p = 0; p < g.N * g.C; ++p)
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          double sum = 0.0;
          for (int64_t ih = 2 * oh; ih < 2 * oh + 2; ++ih)
            for (int64_t iw = 2 * ow; iw < 2 * ow + 2; ++iw) {
              sum += src[size_t((p * IH + ih) * IW + iw)];
              diff_src_ref[size_t((p * IH + ih) * IW + iw)] =
                  diff_dst[size_t((p * g.OH + oh) * g.OW + ow)] / 4.0f;
            }
          dst_ref[size_t((p * g.OH + oh) * g.OW + ow)] = float(sum / 4.0);
        }
    kernels::avg_pool2d_forward(g, true, src.data(), dst.data());
    kernels::avg_pool2d_backward(g, false, diff_dst.data(), diff_src.data());
    EXPECT_TRUE(all_close("dst", out, dst.data(), dst_ref.data(), kRtol));
    EXPECT_TRUE(all_close("diff_src", in, diff_src.data(), diff_src_ref.data(), kRtol));
  }
}

TEST(Gemm, MatchesReferenceForEveryTransposeCombination) {
  Rng rng(3);
  auto pick = [&](int64_t lo, int64_t hi) {
    return lo + int64_t(rng.below(uint64_t(hi - lo + 1)));
  };
  for (int trial = 0; trial < 30; ++trial)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        const int64_t M = pick(1, 70), N = pick(1, 70), K = pick(1, 70);
        // Leading dimensions past the minimum: gemm must honour them.
        const int64_t lda = (ta ? M : K) + pick(0, 3), ldb = (tb ? K : N) + pick(0, 3);
        const int64_t ldc = N + pick(0, 3);
        const float alpha = trial % 3 == 0 ? 1.0f : rng.uniform(-2.0f, 2.0f);
        const float beta = trial % 3 == 1 ? 0.0f : trial % 3 == 2 ? 1.0f : rng.uniform(-2.0f, 2.0f);
        SCOPED_TRACE(testing::Message()
                     << "trans_a " << ta << " trans_b " << tb << " M " << M << " N " << N << " K "
                     << K << " lda " << lda << " ldb " << ldb << " ldc " << ldc << " alpha "
                     << alpha << " beta " << beta);
        const auto A = random_vector((ta ? K : M) * lda, rng);
        const auto B = random_vector((tb ? N : K) * ldb, rng);
        // beta = 0 must ignore C's old contents, NaN included; the columns past N stay untouched.
        std::vector<float> C(size_t(M * ldc), 7.0f);
        for (int64_t i = 0; i < M; ++i)
          for (int64_t j = 0; j < N; ++j)
            C[size_t(i * ldc + j)] =
                beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : rng.normal();
        auto C_ref = C;
        kernels::gemm(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
        kernels::gemm_ref(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, C_ref.data(),
                          ldc);
        EXPECT_TRUE(all_close("C", {M, ldc}, C.data(), C_ref.data(), kRtol));
      }
}

}  // namespace
}  // namespace convnet::test
