#include "kernels/winograd.h"

#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/winograd_transform.h"

namespace convnet::kernels {

// 12 AVX2 accumulators, two loads and six broadcasts per step. Plain AVX2 + FMA (the build's
// x86-64-v3 baseline): on Zen 4 AVX-512 brings no more FLOPs per cycle.
void winograd::micro_kernel(int64_t C, const float* a, const float* b, float* m) {
  // Twelve named accumulators: an array of them made GCC store every one on each iteration.
  __m256 c00 = _mm256_setzero_ps(), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00,
         c30 = c00, c31 = c00, c40 = c00, c41 = c00, c50 = c00, c51 = c00;
  for (int64_t c = 0; c < C; ++c, a += kLanes, b += kNR) {
    const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
    _mm_prefetch(reinterpret_cast<const char*>(b + 8 * kNR), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(a + 8 * kLanes), _MM_HINT_T0);
    __m256 ai = _mm256_broadcast_ss(a);
    c00 = _mm256_fmadd_ps(ai, b0, c00);
    c01 = _mm256_fmadd_ps(ai, b1, c01);
    ai = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(ai, b0, c10);
    c11 = _mm256_fmadd_ps(ai, b1, c11);
    ai = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(ai, b0, c20);
    c21 = _mm256_fmadd_ps(ai, b1, c21);
    ai = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(ai, b0, c30);
    c31 = _mm256_fmadd_ps(ai, b1, c31);
    ai = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(ai, b0, c40);
    c41 = _mm256_fmadd_ps(ai, b1, c41);
    ai = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(ai, b0, c50);
    c51 = _mm256_fmadd_ps(ai, b1, c51);
  }
  const __m256 rows[kMR][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                               {c30, c31}, {c40, c41}, {c50, c51}};
  for (int i = 0; i < kMR; ++i) {
    _mm256_store_ps(m + i * kNR, rows[i][0]);
    _mm256_store_ps(m + i * kNR + 8, rows[i][1]);
  }
}

namespace {

using namespace winograd;

// The transformed filters are shared by all tiles when they take at most kSharedFilterFloats;
// else the transformed inputs are shared, in chunks of at most kSharedInputFloats. Measured on
// VGG-16's conv3_2 (U 12.7 MB, V 7.7 MB): streaming V from L3 past an L2-resident filter panel ran
// 1.7x faster than streaming U past an L2-resident tile panel.
constexpr int64_t kSharedFilterFloats = int64_t(1) << 20;  // 4 MiB
constexpr int64_t kSharedInputFloats = int64_t(4) << 20;   // 16 MiB

struct Workspace {
  std::vector<float> shared, panel, m;
};
Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}

inline int64_t u_panel_floats(const Plan& p) { return kPoints * p.C * kLanes; }
inline int64_t v_panel_floats(const Plan& p) { return kPoints * p.C * kNR; }

// The 36 products of filter panel kp and tile panel tp, then their outputs.
void multiply_panels(const Plan& p, const float* u, const float* v, float* m, int64_t kp,
                     int64_t tp, const float* bias, float* dst) {
  for (int64_t xi = 0; xi < kPoints; ++xi)
    micro_kernel(p.C, u + xi * p.C * kLanes, v + xi * p.C * kNR, m + xi * kMR * kNR);
  output_panel(p, m, kp, tp, bias, dst);
}

// Filters transformed once and shared; each work item transforms one panel of tiles and runs
// all filter panels over it.
void run_shared_filters(const Plan& p, const float* src, const float* bias, float* dst) {
  float* u = reserve_aligned(workspace().shared, p.KP * u_panel_floats(p));
  parallel_for(p.KP, 1, [&](int64_t k0, int64_t k1) {
    for (int64_t kp = k0; kp < k1; ++kp) filter_panel(p, kp, u + kp * u_panel_floats(p));
  });
  parallel_for(p.TP, 1, [&](int64_t t0, int64_t t1) {
    Workspace& ws = workspace();
    float* v = reserve_aligned(ws.panel, v_panel_floats(p));
    float* m = reserve_aligned(ws.m, kPoints * kMR * kNR);
    for (int64_t tp = t0; tp < t1; ++tp) {
      input_panel(p, src, tp, 0, p.C, v);
      for (int64_t kp = 0; kp < p.KP; ++kp)
        multiply_panels(p, u + kp * u_panel_floats(p), v, m, kp, tp, bias, dst);
    }
  });
}

// Inputs transformed once per chunk of tile panels and shared; each work item transforms one
// panel of filters and runs it over all tiles of the chunk.
void run_shared_inputs(const Plan& p, const float* src, const float* bias, float* dst) {
  const int64_t chunk = std::clamp<int64_t>(kSharedInputFloats / v_panel_floats(p), 1, p.TP);
  constexpr int64_t kChannelBlock = 32;  // split input transforms finely enough for the threads
  const int64_t cblocks = (p.C + kChannelBlock - 1) / kChannelBlock;
  for (int64_t first = 0; first < p.TP; first += chunk) {
    const int64_t panels = std::min(chunk, p.TP - first);
    float* v = reserve_aligned(workspace().shared, panels * v_panel_floats(p));
    parallel_for(panels * cblocks, 1, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        const int64_t tp = i / cblocks, c0 = (i % cblocks) * kChannelBlock;
        input_panel(p, src, first + tp, c0, std::min(p.C, c0 + kChannelBlock),
                    v + tp * v_panel_floats(p));
      }
    });
    parallel_for(p.KP, 1, [&](int64_t k0, int64_t k1) {
      Workspace& ws = workspace();
      float* u = reserve_aligned(ws.panel, u_panel_floats(p));
      float* m = reserve_aligned(ws.m, kPoints * kMR * kNR);
      for (int64_t kp = k0; kp < k1; ++kp) {
        filter_panel(p, kp, u);
        for (int64_t tp = 0; tp < panels; ++tp)
          multiply_panels(p, u, v + tp * v_panel_floats(p), m, kp, first + tp, bias, dst);
      }
    });
  }
}

// Sharing filters suits many tiles (the threads split the tile panels); sharing inputs suits few
// tiles and many filters (they split the filter panels). Depends on the shape only.
void run(const Plan& p, const float* src, const float* bias, float* dst) {
  const bool filters_fit = p.KP * u_panel_floats(p) <= kSharedFilterFloats;
  if (filters_fit && (p.TP >= 8 || p.TP >= p.KP))
    run_shared_filters(p, src, bias, dst);
  else
    run_shared_inputs(p, src, bias, dst);
}

ConvAlgo algo_from_environment() {
  const char* s = std::getenv("CONVNET_CONV_ALGO");
  const std::string v = s ? s : "";
  if (v.empty() || v == "auto") return ConvAlgo::automatic;
  if (v == "gemm") return ConvAlgo::gemm;
  if (v == "winograd") return ConvAlgo::winograd;
  throw std::invalid_argument("CONVNET_CONV_ALGO: expected auto, gemm or winograd, got '" + v +
                              "'");
}
std::atomic<int>& algo_setting() {
  static std::atomic<int> algo{int(algo_from_environment())};
  return algo;
}

}  // namespace

void set_conv_algo(ConvAlgo algo) { algo_setting() = int(algo); }
ConvAlgo conv_algo() { return ConvAlgo(algo_setting().load()); }

bool winograd_supports(const ConvGeom& g) {
  return g.KH == 3 && g.KW == 3 && g.SH == 1 && g.SW == 1 && g.DH == 1 && g.DW == 1 && g.G == 1;
}

bool winograd_applies(const ConvGeom& g) {
  if (!winograd_supports(g)) return false;
  const ConvAlgo algo = conv_algo();
  if (algo != ConvAlgo::automatic) return algo == ConvAlgo::winograd;
  // Multiply-adds of the direct convolution over those of the 36 products, padding included
  // (partial tiles, filters and tiles past the last full panel).
  const Plan p = make_plan(g, nullptr, false);
  const double direct = 9.0 * double(p.K) * double(p.N * p.OH * p.OW);
  const double products = double(kPoints) * double(p.KP * kMR) * double(p.TP * kNR);
  // Measured (bench/kernels_bench.cpp, one thread): Winograd wins from 3 input channels up (VGG's
  // 3 -> 64 first layer by 1.4x) but loses with fewer than 8 output channels (a filter panel of 6
  // mostly empty), and breaks even near direct == products (2x2 images at batch 64).
  return g.IC >= 3 && g.OC >= 8 && direct >= 1.5 * products;
}

bool winograd_backward_weights_applies(const ConvGeom& g) {
  if (!winograd_supports(g)) return false;
  const ConvAlgo algo = conv_algo();
  if (algo != ConvAlgo::automatic) return algo == ConvAlgo::winograd;
  // As for the forward pass, with channels (not tiles) padded to panels of 16.
  const Plan p = make_plan(g, nullptr, false);
  const double direct = 9.0 * double(p.K) * double(p.C) * double(p.N * p.OH * p.OW);
  const double products =
      double(kPoints) * double(p.KP * kMR) * double((p.C + kNR - 1) / kNR * kNR) * double(p.T);
  return g.IC >= 8 && g.OC >= 8 && direct >= 1.5 * products;
}

ConvGeom winograd_backward_data_geom(const ConvGeom& g) {
  ConvGeom t = g;
  t.IC = g.OC, t.IH = g.OH, t.IW = g.OW;
  t.OC = g.IC, t.OH = g.IH, t.OW = g.IW;
  t.PT = g.KH - 1 - g.PT, t.PL = g.KW - 1 - g.PL;
  return t;
}

void winograd_forward(const ConvGeom& g, const float* src, const float* weights, const float* bias,
                      float* dst) {
  run(make_plan(g, weights, false), src, bias, dst);
}

void winograd_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                            float* diff_src) {
  run(make_plan(g, weights, true), diff_dst, nullptr, diff_src);
}

}  // namespace convnet::kernels
