// The pointwise inference kernel (kernels/pointwise_conv2d.h) against the seven-loop reference
// followed by the epilogue: blocks along the columns (wide maps, several per image when the
// output exceeds the cache budget) and along the output channels (deep maps), batches 1 to 3.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "convnet/random.h"
#include "kernels/conv2d.h"
#include "kernels/pointwise_conv2d.h"
#include "support/compare.h"

namespace convnet::test {
namespace {

using kernels::ConvGeom;

TEST(PointwiseFast, MatchesReferenceWithEpilogue) {
  Rng rng(21);
  struct Case {
    int64_t N, IC, OC, H, W;
  };
  // 64 x 2601 outputs: two cache-sized column blocks per image; 7x7 with 96 channels: row blocks.
  for (const Case c : {Case{1, 8, 64, 51, 51}, Case{3, 5, 7, 9, 13}, Case{1, 40, 96, 7, 7},
                       Case{2, 17, 33, 1, 1}, Case{1, 3, 130, 5, 3}}) {
    ConvGeom g;
    g.N = c.N, g.IC = c.IC, g.OC = c.OC, g.IH = g.OH = c.H, g.IW = g.OW = c.W;
    g.KH = g.KW = 1;
    ASSERT_TRUE(kernels::is_pointwise_ungrouped(g));
    SCOPED_TRACE("N=" + std::to_string(c.N) + " IC=" + std::to_string(c.IC) + " OC=" +
                 std::to_string(c.OC) + " " + std::to_string(c.H) + "x" + std::to_string(c.W));
    const int64_t P = c.H * c.W;
    std::vector<float> src(size_t(c.N * c.IC * P)), w(size_t(c.OC * c.IC)), scale(size_t(c.OC)),
        shift(size_t(c.OC));
    for (auto* v : {&src, &w, &scale, &shift})
      for (float& x : *v) x = rng.normal();
    for (const Activation act : {Activation::relu, Activation::linear, Activation::tanh}) {
      std::vector<float> dst(size_t(c.N * c.OC * P), -1.0f), want(dst.size());
      kernels::pointwise_conv2d_forward(
          g, src.data(), w.data(),
          kernels::Epilogue{.scale = scale.data(), .shift = shift.data(), .act = act}, dst.data());
      kernels::conv2d_forward_ref(g, src.data(), w.data(), nullptr, want.data());
      for (size_t i = 0; i < want.size(); ++i) {
        const size_t oc = i / size_t(P) % size_t(c.OC);
        const float v = want[i] * scale[oc] + shift[oc];
        want[i] = act == Activation::relu   ? std::max(v, 0.0f)
                  : act == Activation::tanh ? std::tanh(v)
                                            : v;
      }
      EXPECT_TRUE(all_close("dst", {c.N, c.OC, c.H, c.W}, dst.data(), want.data(), 1e-5));
    }
  }
}

}  // namespace
}  // namespace convnet::test
