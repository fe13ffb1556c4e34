// Winograd F(4x4, 3x3) (src/kernels/winograd.h): forward, backward-data and backward-weights
// against the direct references on random shapes (odd sizes, partial tiles, symmetric and
// asymmetric padding, both schedules, chunked tiles), gradients through a Conv2D layer with the
// path forced on, 1 vs 2 threads bit-identical, and the dispatch rules of conv2d.cpp.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "convnet/layers.h"
#include "convnet/sequential.h"
#include "convnet/threads.h"
#include "kernels/conv2d.h"
#include "kernels/winograd.h"
#include "support/compare.h"
#include "support/gradcheck.h"
#include "support/op_registry.h"

namespace convnet::test {
namespace {

using kernels::ConvAlgo;
using kernels::ConvGeom;

// Winograd's transforms amplify rounding by about 10x; an off-by-one tile or a wrong coefficient
// moves outputs by O(1) of the scale.
constexpr double kRtol = 1e-4;

// Uniform in [lo, hi].
int64_t pick(Rng& rng, int64_t lo, int64_t hi) { return lo + int64_t(rng.below(uint64_t(hi - lo + 1))); }

// A 3x3 stride-1 convolution with padding top, bottom, left, right.
ConvGeom geom(int64_t N, int64_t IC, int64_t IH, int64_t IW, int64_t OC, int64_t pt, int64_t pb,
              int64_t pl, int64_t pr) {
  return {.N = N, .IC = IC, .IH = IH, .IW = IW, .OC = OC, .KH = 3, .KW = 3, .PT = pt, .PL = pl,
          .OH = IH + pt + pb - 2, .OW = IW + pl + pr - 2};
}

std::string describe(const ConvGeom& g) {
  return "N=" + std::to_string(g.N) + " IC=" + std::to_string(g.IC) + " " +
         std::to_string(g.IH) + "x" + std::to_string(g.IW) + " OC=" + std::to_string(g.OC) +
         " pad top/left " + std::to_string(g.PT) + "/" + std::to_string(g.PL) + " out " +
         std::to_string(g.OH) + "x" + std::to_string(g.OW);
}

// Runs `f` under a conv algorithm, restoring the previous one.
template <typename F>
void with_algo(ConvAlgo algo, F&& f) {
  const ConvAlgo before = kernels::conv_algo();
  kernels::set_conv_algo(algo);
  f();
  kernels::set_conv_algo(before);
}

void expect_matches_references(const ConvGeom& g, Rng& rng) {
  SCOPED_TRACE(describe(g));
  const Shape src_shape{g.N, g.IC, g.IH, g.IW}, dst_shape{g.N, g.OC, g.OH, g.OW};
  const auto src = random_vector(src_shape.numel(), rng);
  const auto weights = random_vector(g.OC * g.IC * 9, rng);
  const auto bias = random_vector(g.OC, rng);
  const auto diff_dst = random_vector(dst_shape.numel(), rng);

  std::vector<float> dst(size_t(dst_shape.numel()), -1.0f), dst_ref(dst.size());
  kernels::winograd_forward(g, src.data(), weights.data(), bias.data(), dst.data());
  kernels::conv2d_forward_ref(g, src.data(), weights.data(), bias.data(), dst_ref.data());
  EXPECT_TRUE(all_close("dst", dst_shape, dst.data(), dst_ref.data(), kRtol));

  std::vector<float> diff_src(size_t(src_shape.numel()), -1.0f), diff_src_ref(diff_src.size());
  kernels::winograd_backward_data(g, diff_dst.data(), weights.data(), diff_src.data());
  kernels::conv2d_backward_data_ref(g, diff_dst.data(), weights.data(), diff_src_ref.data());
  EXPECT_TRUE(all_close("diff_src", src_shape, diff_src.data(), diff_src_ref.data(), kRtol));

  // backward_weights accumulates: start both from the same non-zero gradients.
  const Shape w_shape{g.OC, g.IC, 3, 3};
  auto diff_w = random_vector(w_shape.numel(), rng), diff_w_ref = diff_w;
  kernels::winograd_backward_weights(g, src.data(), diff_dst.data(), diff_w.data());
  kernels::conv2d_backward_weights_ref(g, src.data(), diff_dst.data(), diff_w_ref.data(), nullptr);
  EXPECT_TRUE(all_close("diff_weights", w_shape, diff_w.data(), diff_w_ref.data(), kRtol));
}

TEST(Winograd, MatchesReferencesOnRandomShapes) {
  Rng rng(11);
  for (int i = 0; i < 40; ++i) {
    const int64_t pt = pick(rng, 0, 2), pb = pick(rng, 0, 2);
    const int64_t pl = pick(rng, 0, 2), pr = pick(rng, 0, 2);
    // At least one output row and column.
    const int64_t ih = std::max<int64_t>(pick(rng, 1, 23), 3 - pt - pb);
    const int64_t iw = std::max<int64_t>(pick(rng, 1, 23), 3 - pl - pr);
    expect_matches_references(
        geom(pick(rng, 1, 3), pick(rng, 1, 70), ih, iw, pick(rng, 1, 70), pt, pb,
             pl, pr),
        rng);
  }
}

// Shapes picked for the edges: a single pixel, 1x1 outputs, one channel, 'same' padding on odd
// sizes, many tiles (filters shared, tile panels split) and few tiles with many filters (inputs
// shared, filter panels split), padding beyond the kernel (negative padding in backward-data).
TEST(Winograd, MatchesReferencesOnEdgeShapes) {
  Rng rng(12);
  for (const ConvGeom& g :
       {geom(1, 1, 1, 1, 1, 1, 1, 1, 1), geom(2, 3, 3, 3, 5, 0, 0, 0, 0),
        geom(1, 1, 9, 7, 1, 1, 1, 1, 1), geom(3, 17, 13, 11, 33, 1, 1, 1, 1),
        geom(2, 20, 37, 41, 24, 1, 1, 1, 1), geom(1, 64, 10, 10, 70, 1, 1, 1, 1),
        geom(1, 5, 6, 6, 7, 4, 3, 3, 4), geom(2, 16, 8, 8, 16, 0, 2, 2, 0)})
    expect_matches_references(g, rng);
}

// Too large for the seven-loop reference: many filters and tiles, so the transformed inputs are
// shared in several chunks. Held to im2col + GEMM (itself held to the reference in test_kernels).
TEST(Winograd, MatchesGemmOnChunkedLargeShape) {
  Rng rng(13);
  const ConvGeom g = geom(6, 384, 28, 28, 384, 1, 1, 1, 1);
  const Shape src_shape{g.N, g.IC, g.IH, g.IW}, dst_shape{g.N, g.OC, g.OH, g.OW};
  const auto src = random_vector(src_shape.numel(), rng);
  const auto weights = random_vector(g.OC * g.IC * 9, rng);
  const auto diff_dst = random_vector(dst_shape.numel(), rng);
  std::vector<float> a(size_t(dst_shape.numel())), b(a.size());
  std::vector<float> da(size_t(src_shape.numel())), db(da.size());
  std::vector<float> dwa(weights.size()), dwb(weights.size());  // zeros: the passes accumulate
  with_algo(ConvAlgo::gemm, [&] {
    kernels::conv2d_forward(g, src.data(), weights.data(), nullptr, a.data());
    kernels::conv2d_backward_data(g, diff_dst.data(), weights.data(), da.data());
    kernels::conv2d_backward_weights(g, src.data(), diff_dst.data(), dwa.data(), nullptr);
  });
  kernels::winograd_forward(g, src.data(), weights.data(), nullptr, b.data());
  kernels::winograd_backward_data(g, diff_dst.data(), weights.data(), db.data());
  kernels::winograd_backward_weights(g, src.data(), diff_dst.data(), dwb.data());
  EXPECT_TRUE(all_close("dst", dst_shape, b.data(), a.data(), kRtol));
  EXPECT_TRUE(all_close("diff_src", src_shape, db.data(), da.data(), kRtol));
  EXPECT_TRUE(all_close("diff_weights", Shape{g.OC, g.IC, 3, 3}, dwb.data(), dwa.data(), kRtol));
}

TEST(Winograd, GradcheckThroughConv2DLayer) {
  with_algo(ConvAlgo::winograd, [] {
    Sequential m({5, 9, 7}, {.seed = 2});
    m.add(Conv2D({.filters = 6, .kernel = 3, .padding = Padding(1, 2, 0, 1),
                  .activation = Activation::tanh}));
    m.add(Conv2D({.filters = 3, .kernel = 3, .padding = Padding::same}));
    Rng rng(3);
    EXPECT_TRUE(gradcheck(m, random_normal({2, 5, 9, 7}, rng), rng));
  });
}

TEST(Winograd, BitIdenticalOn1And2Threads) {
  Rng rng(14);
  // Filters shared (many tile panels) and inputs shared (one tile panel, many filter panels).
  for (const ConvGeom& g : {geom(2, 24, 45, 43, 40, 1, 1, 1, 1), geom(1, 96, 14, 14, 128, 1, 1, 1, 1)}) {
    SCOPED_TRACE(describe(g));
    const auto src = random_vector(g.N * g.IC * g.IH * g.IW, rng);
    const auto weights = random_vector(g.OC * g.IC * 9, rng), bias = random_vector(g.OC, rng);
    const auto diff_dst = random_vector(g.N * g.OC * g.OH * g.OW, rng);
    std::vector<float> out[2], din[2], dw[2];
    for (const int threads : {1, 2}) {
      const int before = num_threads();
      set_num_threads(threads);
      auto& y = out[threads - 1];
      auto& dx = din[threads - 1];
      y.resize(diff_dst.size());
      dx.resize(src.size());
      kernels::winograd_forward(g, src.data(), weights.data(), bias.data(), y.data());
      kernels::winograd_backward_data(g, diff_dst.data(), weights.data(), dx.data());
      dw[threads - 1].assign(weights.size(), 0.0f);
      kernels::winograd_backward_weights(g, src.data(), diff_dst.data(), dw[threads - 1].data());
      set_num_threads(before);
    }
    EXPECT_EQ(std::memcmp(out[0].data(), out[1].data(), out[0].size() * sizeof(float)), 0);
    EXPECT_EQ(std::memcmp(din[0].data(), din[1].data(), din[0].size() * sizeof(float)), 0);
    EXPECT_EQ(std::memcmp(dw[0].data(), dw[1].data(), dw[0].size() * sizeof(float)), 0);
  }
}

TEST(Winograd, DispatchFollowsTheAlgorithmSetting) {
  const ConvGeom vgg = geom(1, 64, 56, 56, 64, 1, 1, 1, 1);
  ConvGeom strided = vgg, dilated = vgg, grouped = vgg, five = vgg;
  strided.SH = 2;
  dilated.DW = 2;
  grouped.G = 2;
  five.KH = 5;
  with_algo(ConvAlgo::automatic, [&] {
    EXPECT_TRUE(kernels::winograd_applies(vgg));
    EXPECT_TRUE(kernels::winograd_applies(geom(1, 3, 224, 224, 64, 1, 1, 1, 1)));
    EXPECT_FALSE(kernels::winograd_applies(geom(1, 64, 224, 224, 3, 1, 1, 1, 1)));  // 3 filters
    EXPECT_FALSE(kernels::winograd_applies(geom(1, 2, 32, 32, 16, 1, 1, 1, 1)));    // 2 channels
    EXPECT_FALSE(kernels::winograd_applies(geom(1, 512, 7, 7, 512, 1, 1, 1, 1)));    // 4 tiles
  });
  with_algo(ConvAlgo::automatic, [&] {
    EXPECT_TRUE(kernels::winograd_backward_weights_applies(vgg));
    EXPECT_FALSE(kernels::winograd_backward_weights_applies(geom(1, 3, 224, 224, 64, 1, 1, 1, 1)));
  });
  with_algo(ConvAlgo::gemm, [&] {
    EXPECT_FALSE(kernels::winograd_applies(vgg));
    EXPECT_FALSE(kernels::winograd_backward_weights_applies(vgg));
  });
  with_algo(ConvAlgo::winograd, [&] {
    EXPECT_TRUE(kernels::winograd_applies(geom(1, 1, 1, 1, 1, 1, 1, 1, 1)));
    for (const ConvGeom& g : {strided, dilated, grouped, five})
      EXPECT_FALSE(kernels::winograd_applies(g));
  });
  // conv2d_forward routes through Winograd when forced: bit-identical to calling it directly.
  Rng rng(15);
  const ConvGeom g = geom(1, 8, 11, 9, 12, 1, 0, 2, 1);
  const auto src = random_vector(g.N * g.IC * g.IH * g.IW, rng);
  const auto weights = random_vector(g.OC * g.IC * 9, rng);
  std::vector<float> direct(size_t(g.N * g.OC * g.OH * g.OW)), routed(direct.size());
  kernels::winograd_forward(g, src.data(), weights.data(), nullptr, direct.data());
  with_algo(ConvAlgo::winograd, [&] {
    kernels::conv2d_forward(g, src.data(), weights.data(), nullptr, routed.data());
  });
  EXPECT_EQ(std::memcmp(direct.data(), routed.data(), direct.size() * sizeof(float)), 0);
}

}  // namespace
}  // namespace convnet::test
