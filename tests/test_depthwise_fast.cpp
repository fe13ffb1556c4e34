// The depthwise kernels (their vectorized 3x3 paths and the generic one) against the seven-loop
// references with G = IC, on random geometries: odd sizes, strides 1 to 3, symmetric and
// asymmetric padding, dilation, depth multipliers 1 and 2; forward (with and without an epilogue),
// backward data and backward weights, to float rounding.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "convnet/random.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "support/compare.h"

namespace convnet::test {
namespace {

using kernels::ConvGeom;

constexpr double kRtol = 1e-5;

int64_t pick(Rng& rng, int64_t lo, int64_t hi) {
  return lo + int64_t(rng.below(uint64_t(hi - lo + 1)));
}

std::string describe(const ConvGeom& g) {
  return "N=" + std::to_string(g.N) + " IC=" + std::to_string(g.IC) +
         " OC=" + std::to_string(g.OC) + " in " + std::to_string(g.IH) + "x" +
         std::to_string(g.IW) + " k " + std::to_string(g.KH) + "x" + std::to_string(g.KW) + " s " +
         std::to_string(g.SH) + "," + std::to_string(g.SW) + " pad " + std::to_string(g.PT) + "," +
         std::to_string(g.PL) + " dil " + std::to_string(g.DH) + "," + std::to_string(g.DW) +
         " out " + std::to_string(g.OH) + "x" + std::to_string(g.OW);
}

// A random geometry; `fast`: 3x3 with unit width dilation and stride 1 or 2 (the fast path).
ConvGeom random_geom(Rng& rng, bool fast) {
  for (;;) {
    ConvGeom g;
    g.N = pick(rng, 1, 3);
    g.IC = pick(rng, 1, 5);
    g.OC = g.IC * pick(rng, 1, 2);
    g.G = g.IC;
    g.IH = pick(rng, 1, 19);
    g.IW = pick(rng, 1, 80);  // narrow (padded copy) and wide (row by row) planes
    g.KH = fast ? 3 : pick(rng, 1, 5);
    g.KW = fast ? 3 : pick(rng, 1, 5);
    g.SH = pick(rng, 1, 3);
    g.SW = fast ? pick(rng, 1, 2) : pick(rng, 1, 3);
    g.DH = pick(rng, 1, 2);
    g.DW = fast ? 1 : pick(rng, 1, 2);
    const int64_t kh = (g.KH - 1) * g.DH + 1, kw = (g.KW - 1) * g.DW + 1;
    // Padding on each side drawn apart: asymmetric as often as not.
    g.PT = pick(rng, 0, kh - 1);
    g.PL = pick(rng, 0, kw - 1);
    const int64_t pb = pick(rng, 0, kh - 1);
    int64_t pr = pick(rng, 0, kw - 1);
    // Often rows as wide as the input's at stride 1: the kernel's flat interior run.
    if (fast && rng.below(2) == 0) g.SH = g.SW = 1, pr = 2 - g.PL;
    if (g.IH + g.PT + pb < kh || g.IW + g.PL + pr < kw) continue;
    g.OH = (g.IH + g.PT + pb - kh) / g.SH + 1;
    g.OW = (g.IW + g.PL + pr - kw) / g.SW + 1;
    return g;
  }
}

void expect_matches_references(const ConvGeom& g, Rng& rng) {
  const Shape src_shape{g.N, g.IC, g.IH, g.IW}, dst_shape{g.N, g.OC, g.OH, g.OW};
  const Shape w_shape{g.OC, 1, g.KH, g.KW}, b_shape{g.OC};
  const auto src = random_vector(src_shape.numel(), rng);
  const auto w = random_vector(w_shape.numel(), rng);
  const auto bias = random_vector(g.OC, rng);
  const auto diff_dst = random_vector(dst_shape.numel(), rng);

  std::vector<float> dst(size_t(dst_shape.numel()), std::numeric_limits<float>::quiet_NaN());
  std::vector<float> dst_ref(dst.size());
  kernels::depthwise_conv2d_forward(g, src.data(), w.data(), bias.data(), dst.data());
  kernels::conv2d_forward_ref(g, src.data(), w.data(), bias.data(), dst_ref.data());
  EXPECT_TRUE(all_close("dst", dst_shape, dst.data(), dst_ref.data(), kRtol));

  // Epilogues act(scale * conv + shift), against the reference followed by the same map.
  const auto scale = random_vector(g.OC, rng);
  for (const Activation act : {Activation::relu6, Activation::linear, Activation::elu}) {
    kernels::depthwise_conv2d_forward(
        g, src.data(), w.data(),
        kernels::Epilogue{.scale = scale.data(), .shift = bias.data(), .act = act, .alpha = 0.5f},
        dst.data());
    kernels::conv2d_forward_ref(g, src.data(), w.data(), nullptr, dst_ref.data());
    const int64_t P = g.OH * g.OW;
    for (size_t i = 0; i < dst_ref.size(); ++i) {
      const int64_t c = int64_t(i) / P % g.OC;
      const float v = dst_ref[i] * scale[size_t(c)] + bias[size_t(c)];
      dst_ref[i] = act == Activation::relu6 ? std::clamp(v, 0.0f, 6.0f)
                   : act == Activation::elu ? (v >= 0.0f ? v : 0.5f * std::expm1(v))
                                            : v;
    }
    EXPECT_TRUE(all_close("dst (epilogue " + activation_name(act) + ")", dst_shape, dst.data(),
                          dst_ref.data(), kRtol));
  }

  std::vector<float> diff_src(size_t(src_shape.numel()), std::numeric_limits<float>::quiet_NaN());
  std::vector<float> diff_src_ref(diff_src.size());
  kernels::depthwise_conv2d_backward_data(g, diff_dst.data(), w.data(), diff_src.data());
  kernels::conv2d_backward_data_ref(g, diff_dst.data(), w.data(), diff_src_ref.data());
  EXPECT_TRUE(all_close("diff_src", src_shape, diff_src.data(), diff_src_ref.data(), kRtol));

  // Accumulated onto gradients of the sums' own size (about sqrt(terms)), so that a sum that
  // cancels to nearly zero does not shrink the tolerance below its rounding.
  auto diff_w = random_vector(w_shape.numel(), rng), diff_b = random_vector(g.OC, rng);
  const float magnitude = std::sqrt(float(g.N * g.OH * g.OW));
  for (float& v : diff_w) v *= magnitude;
  for (float& v : diff_b) v *= magnitude;
  auto diff_w_ref = diff_w, diff_b_ref = diff_b;
  kernels::depthwise_conv2d_backward_weights(g, src.data(), diff_dst.data(), diff_w.data(),
                                             diff_b.data());
  kernels::conv2d_backward_weights_ref(g, src.data(), diff_dst.data(), diff_w_ref.data(),
                                       diff_b_ref.data());
  EXPECT_TRUE(all_close("diff_weights", w_shape, diff_w.data(), diff_w_ref.data(), kRtol));
  EXPECT_TRUE(all_close("diff_bias", b_shape, diff_b.data(), diff_b_ref.data(), kRtol));
}

TEST(DepthwiseFast, MatchesReferencesOnRandomGeometries) {
  Rng rng(11);
  int fast = 0, stride2 = 0, flat = 0, wide = 0, multiplier2 = 0, asymmetric = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const ConvGeom g = random_geom(rng, trial % 2 == 0);
    SCOPED_TRACE(describe(g));
    fast += kernels::depthwise_fast_path(g);
    stride2 += kernels::depthwise_fast_path(g) && g.SW == 2;
    flat += kernels::depthwise_fast_path(g) && g.SH == 1 && g.SW == 1 && g.OW == g.IW;
    wide += kernels::depthwise_fast_path(g) && g.OW >= 33;
    multiplier2 += g.OC == 2 * g.IC;
    asymmetric += (g.OH - 1) * g.SH + (g.KH - 1) * g.DH + 1 - g.IH - g.PT != g.PT;
    expect_matches_references(g, rng);
  }
  // The draw covers what it claims to.
  EXPECT_GE(fast, 25);
  EXPECT_GE(stride2, 5);
  EXPECT_GE(flat, 8);
  EXPECT_GE(wide, 8);
  EXPECT_GE(multiplier2, 15);
  EXPECT_GE(asymmetric, 15);
}

// MobileNet's own shapes: 'same' at stride 1, Keras' bottom/right-only padding at stride 2, wide
// rows (vector loops with remainders) and 7x7 planes (borders only and one short interior).
TEST(DepthwiseFast, MatchesReferencesOnMobileNetShapes) {
  Rng rng(12);
  struct Case {
    int64_t C, HW, S;
  };
  for (const Case c : {Case{8, 112, 1}, Case{4, 112, 2}, Case{16, 28, 1}, Case{16, 14, 2},
                       Case{32, 7, 1}, Case{3, 15, 2}}) {
    ConvGeom g;
    g.N = 2, g.IC = g.OC = g.G = c.C, g.IH = g.IW = c.HW, g.KH = g.KW = 3, g.SH = g.SW = c.S;
    g.PT = g.PL = c.S == 1 ? 1 : 0;
    g.OH = g.OW = c.S == 1 ? c.HW : (c.HW + 1 - 3) / 2 + 1;
    SCOPED_TRACE(describe(g));
    ASSERT_TRUE(kernels::depthwise_fast_path(g));
    expect_matches_references(g, rng);
  }
}

}  // namespace
}  // namespace convnet::test
