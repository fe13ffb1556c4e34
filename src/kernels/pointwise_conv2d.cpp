#include "kernels/pointwise_conv2d.h"

#include <algorithm>

#include "kernels/gemm.h"
#include "kernels/parallel.h"

namespace convnet::kernels {
namespace {

// A block's output should stay in the 2 MiB L2 cache for its epilogue.
constexpr int64_t kMaxBlockFloats = int64_t(128) << 10;  // 512 KiB
// Work items wanted in all: enough for two threads to balance.
constexpr int64_t kMinItems = 4;
// Block edges fall on multiples of this many rows or columns (whole GEMM micro-tiles).
constexpr int64_t kAlign = 16;

}  // namespace

bool is_pointwise_ungrouped(const ConvGeom& g) {
  return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PT == 0 && g.PL == 0 &&
         g.OH == g.IH && g.OW == g.IW && g.G == 1;
}

void pointwise_conv2d_forward(const ConvGeom& g, const float* src, const float* weights,
                              const Epilogue& ep, float* dst) {
  const int64_t P = g.OH * g.OW, OC = g.OC, IC = g.IC;
  const bool by_columns = P >= OC;
  const int64_t len = by_columns ? P : OC;
  const int64_t for_cache = (OC * P + kMaxBlockFloats - 1) / kMaxBlockFloats;
  const int64_t for_threads = (kMinItems + g.N - 1) / g.N;
  const int64_t blocks =
      std::clamp<int64_t>(std::max(for_cache, for_threads), 1, std::max<int64_t>(len / kAlign, 1));
  auto edge = [&](int64_t b) { return b == blocks ? len : len * b / blocks / kAlign * kAlign; };
  // Blocks of fewer multiply-adds than this are not worth waking a thread for.
  const int64_t block_macs = std::max<int64_t>(OC * P * IC / blocks, 1);
  const int64_t grain = std::max<int64_t>(1, (int64_t(1) << 18) / block_macs);
  parallel_for(g.N * blocks, grain, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / blocks, b = i % blocks, lo = edge(b), hi = edge(b + 1);
      const float* x = src + n * IC * P;
      float* y = dst + n * OC * P;
      if (by_columns) {
        // y[:, lo:hi] = weights * x[:, lo:hi]
        gemm_serial(false, false, OC, hi - lo, IC, 1.0f, weights, IC, x + lo, P, 0.0f, y + lo, P);
        if (!ep.identity())
          for (int64_t oc = 0; oc < OC; ++oc) epilogue_plane(ep, oc, y + oc * P + lo, hi - lo);
      } else {
        // y[lo:hi, :] = weights[lo:hi, :] * x
        gemm_serial(false, false, hi - lo, P, IC, 1.0f, weights + lo * IC, IC, x, P, 0.0f,
                    y + lo * P, P);
        if (!ep.identity())
          for (int64_t oc = lo; oc < hi; ++oc) epilogue_plane(ep, oc, y + oc * P, P);
      }
    }
  });
}

}  // namespace convnet::kernels
