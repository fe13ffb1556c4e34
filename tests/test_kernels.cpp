// The fast kernels against their plain references: conv2d (im2col + GEMM) against the seven-loop
// definitions on the registry's Conv2D geometries, and gemm against the triple loop, to float
// rounding.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "convnet/layers/conv2d.h"
#include "kernels/conv2d.h"
#include "kernels/gemm.h"
#include "layers/geometry.h"
#include "support/compare.h"
#include "support/op_registry.h"

namespace convnet::test {
namespace {

using kernels::ConvGeom;

// Float accumulation over up to a few hundred terms against double: ~1e-6 of the largest value.
constexpr double kRtol = 1e-5;

std::vector<float> random_vector(int64_t n, Rng& rng) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = rng.normal();
  return v;
}

ConvGeom geom_of(const OpCase& c) {
  const auto layer = c.make();
  const auto& conv = dynamic_cast<const Conv2D&>(*layer);
  const Shape in = c.input.without_batch();
  return conv_geom(c.input[0], in, layer->output_shape(in), conv.options());
}

// Batches up to 8, so that im2col lays several images side by side.
std::vector<OpCase> conv_cases() {
  return op_cases("Conv2D", 60, 77, {.max_batch = 8, .max_input_numel = 3000});
}

TEST(ConvKernels, MatchReferencesOnRegistryGeometries) {
  Rng rng(1);
  int batched = 0;
  for (const OpCase& c : conv_cases()) {
    SCOPED_TRACE(c.label);
    const ConvGeom g = geom_of(c);
    batched += g.N > 1;
    const Shape src_shape{g.N, g.IC, g.IH, g.IW}, dst_shape{g.N, g.OC, g.OH, g.OW};
    const Shape w_shape{g.OC, g.IC / g.G, g.KH, g.KW}, b_shape{g.OC};
    const auto src = random_vector(src_shape.numel(), rng);
    const auto weights = random_vector(w_shape.numel(), rng);
    const auto bias = random_vector(g.OC, rng);
    const auto diff_dst = random_vector(dst_shape.numel(), rng);
    const float* b = c.attrs.get_bool("use_bias") ? bias.data() : nullptr;

    std::vector<float> dst(size_t(dst_shape.numel())), dst_ref(dst.size());
    kernels::conv2d_forward(g, src.data(), weights.data(), b, dst.data());
    kernels::conv2d_forward_ref(g, src.data(), weights.data(), b, dst_ref.data());
    EXPECT_TRUE(all_close("dst", dst_shape, dst.data(), dst_ref.data(), kRtol));

    // backward_data overwrites: start from garbage.
    std::vector<float> diff_src(size_t(src_shape.numel()), std::numeric_limits<float>::quiet_NaN());
    std::vector<float> diff_src_ref(diff_src.size());
    kernels::conv2d_backward_data(g, diff_dst.data(), weights.data(), diff_src.data());
    kernels::conv2d_backward_data_ref(g, diff_dst.data(), weights.data(), diff_src_ref.data());
    EXPECT_TRUE(all_close("diff_src", src_shape, diff_src.data(), diff_src_ref.data(), kRtol));

    // backward_weights accumulates: start both from the same non-zero gradients.
    auto diff_w = random_vector(w_shape.numel(), rng), diff_w_ref = diff_w;
    auto diff_b = random_vector(g.OC, rng), diff_b_ref = diff_b;
    kernels::conv2d_backward_weights(g, src.data(), diff_dst.data(), diff_w.data(), diff_b.data());
    kernels::conv2d_backward_weights_ref(g, src.data(), diff_dst.data(), diff_w_ref.data(),
                                         diff_b_ref.data());
    EXPECT_TRUE(all_close("diff_weights", w_shape, diff_w.data(), diff_w_ref.data(), kRtol));
    EXPECT_TRUE(all_close("diff_bias", b_shape, diff_b.data(), diff_b_ref.data(), kRtol));
  }
  EXPECT_GT(batched, 30);
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

TEST(Gemm, MatchesReferenceForEveryTransposeCombination) {
  Rng rng(3);
  auto pick = [&](int64_t lo, int64_t hi) { return lo + int64_t(rng.below(uint64_t(hi - lo + 1))); };
  for (int trial = 0; trial < 30; ++trial)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        const int64_t M = pick(1, 70), N = pick(1, 70), K = pick(1, 70);
        // Leading dimensions past the minimum: gemm must honour them.
        const int64_t lda = (ta ? M : K) + pick(0, 3), ldb = (tb ? K : N) + pick(0, 3);
        const int64_t ldc = N + pick(0, 3);
        const float alpha = trial % 3 == 0 ? 1.0f : rng.uniform(-2.0f, 2.0f);
        const float beta = trial % 3 == 1 ? 0.0f : trial % 3 == 2 ? 1.0f : rng.uniform(-2.0f, 2.0f);
        SCOPED_TRACE(testing::Message() << "trans_a " << ta << " trans_b " << tb << " M " << M
                                        << " N " << N << " K " << K << " lda " << lda << " ldb "
                                        << ldb << " ldc " << ldc << " alpha " << alpha << " beta "
                                        << beta);
        const auto A = random_vector((ta ? K : M) * lda, rng);
        const auto B = random_vector((tb ? N : K) * ldb, rng);
        // beta = 0 must ignore C's old contents, NaN included; the columns past N stay untouched.
        std::vector<float> C(size_t(M * ldc), 7.0f);
        for (int64_t i = 0; i < M; ++i)
          for (int64_t j = 0; j < N; ++j)
            C[size_t(i * ldc + j)] = beta == 0.0f ? std::numeric_limits<float>::quiet_NaN() : rng.normal();
        auto C_ref = C;
        kernels::gemm(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
        kernels::gemm_ref(ta, tb, M, N, K, alpha, A.data(), lda, B.data(), ldb, beta, C_ref.data(),
                          ldc);
        EXPECT_TRUE(all_close("C", {M, ldc}, C.data(), C_ref.data(), kRtol));
      }
}

}  // namespace
}  // namespace convnet::test
