// Winograd backward-weights (see winograd.h for the forward algorithm). The forward output tile
// is Y = A^T (U (.) V) A with U = G g G^T, linear in g; its adjoint gives
//
//   dg[k, c] = G^T ( sum over tiles of dM[k, tile] (.) V[c, tile] ) G,   dM = A dY A^T,
//
// so per point xi: dU[xi][K][C] = dM[xi][K][tiles] * V[xi][C][tiles]^T, a GEMM whose reduction
// runs over the tiles. The same 6x16 micro-kernel does it with rows = 6 filters and columns = 16
// channels, so V is packed with channels (not tiles) in the lanes here.
#include <algorithm>
#include <vector>

#include "kernels/parallel.h"
#include "kernels/winograd.h"
#include "kernels/winograd_passes.h"
#include "kernels/winograd_transform.h"

namespace convnet::kernels {
namespace {

using namespace winograd;

constexpr int64_t kChunkFloats = int64_t(4) << 20;  // bound on each packed operand: 16 MiB
constexpr int64_t kTileBlock = 4;                  // tiles transformed before their 36 stores

struct Tile {
  int64_t n, row, col;  // image, first output row and column
};
Tile tile_at(const Plan& p, int64_t t) {
  const int64_t per_image = p.TH * p.TW, r = t % per_image;
  return {t / per_image, (r / p.TW) * kTile, (r % p.TW) * kTile};
}

// v[xi][t][kNR]: V of tiles [t0, t0 + nt) for channels cp*kNR ... + kNR (zero past C).
void input_by_channel(const Plan& p, const float* src, int64_t cp, int64_t t0, int64_t nt,
                      float* v) {
  const int64_t c0 = cp * kNR, nc = std::min(kNR, p.C - c0);
  alignas(32) float d[kAlpha][kAlpha][kNR] = {}, bd[kAlpha][kAlpha][kNR];
  alignas(32) float block[kPoints][kTileBlock][kNR];
  for (int64_t tb = 0; tb < nt; tb += kTileBlock) {
    const int64_t nb = std::min(kTileBlock, nt - tb);
    for (int64_t b = 0; b < nb; ++b) {
      const Tile tile = tile_at(p, t0 + tb + b);
      const int64_t r0 = tile.row - p.PT, q0 = tile.col - p.PL;
      for (int64_t l = 0; l < nc; ++l) {
        const float* img = src + (tile.n * p.C + c0 + l) * p.H * p.W;
        for (int i = 0; i < kAlpha; ++i)
          for (int j = 0; j < kAlpha; ++j) {
            const int64_t r = r0 + i, q = q0 + j;
            d[i][j][l] = (r >= 0 && r < p.H && q >= 0 && q < p.W) ? img[r * p.W + q] : 0.0f;
          }
      }
      for (int j = 0; j < kAlpha; ++j)
        apply_bt<kNR>(d[0][j], kAlpha * kNR, bd[0][j], kAlpha * kNR);
      for (int r = 0; r < kAlpha; ++r)
        apply_bt<kNR>(bd[r][0], kNR, block[r * kAlpha][b], kTileBlock * kNR);
    }
    store_block(&block[0][0][0], kTileBlock * kNR, nb * kNR, v + tb * kNR, nt * kNR);
  }
}

// m[xi][t][kLanes]: dM = A dY A^T of tiles [t0, t0 + nt) for filters kp*kMR ... + kMR (zero
// past K and outside the output).
void output_grad_by_filter(const Plan& p, const float* diff_dst, int64_t kp, int64_t t0,
                           int64_t nt, float* m) {
  const int64_t k0 = kp * kMR, nk = std::min(kMR, p.K - k0);
  alignas(32) float y[kTile][kTile][kLanes] = {}, ay[kAlpha][kTile][kLanes];
  alignas(32) float block[kPoints][kTileBlock][kLanes];
  for (int64_t tb = 0; tb < nt; tb += kTileBlock) {
    const int64_t nb = std::min(kTileBlock, nt - tb);
    for (int64_t b = 0; b < nb; ++b) {
      const Tile tile = tile_at(p, t0 + tb + b);
      for (int64_t l = 0; l < nk; ++l) {
        const float* plane = diff_dst + (tile.n * p.K + k0 + l) * p.OH * p.OW;
        for (int i = 0; i < kTile; ++i)
          for (int j = 0; j < kTile; ++j) {
            const int64_t r = tile.row + i, q = tile.col + j;
            y[i][j][l] = (r < p.OH && q < p.OW) ? plane[r * p.OW + q] : 0.0f;
          }
      }
      // ay = A y (over tile rows), then dM = ay A^T (over tile columns).
      for (int j = 0; j < kTile; ++j) apply_a<kLanes>(y[0][j], kTile * kLanes, ay[0][j], kTile * kLanes);
      for (int r = 0; r < kAlpha; ++r)
        apply_a<kLanes>(ay[r][0], kLanes, block[r * kAlpha][b], kTileBlock * kLanes);
    }
    store_block(&block[0][0][0], kTileBlock * kLanes, nb * kLanes, m + tb * kLanes,
                nt * kLanes);
  }
}

// diff_weights[k, c] += G^T dU G for the panel's filters and channels, dU = acc[xi][kMR][kNR].
void add_weight_grads(const Plan& p, const float* acc, int64_t kp, int64_t cp,
                      float* diff_weights) {
  const int64_t k0 = kp * kMR, nk = std::min(kMR, p.K - k0);
  const int64_t c0 = cp * kNR, nc = std::min(kNR, p.C - c0);
  alignas(32) float gu[3][kAlpha][kNR], w[3][3][kNR];
  constexpr int64_t point = kMR * kNR;
  for (int64_t l = 0; l < nk; ++l) {
    const float* uk = acc + l * kNR;  // dU[xi = r * 6 + s] at uk + xi * point
    for (int s = 0; s < kAlpha; ++s) apply_gt<kNR>(uk + s * point, kAlpha * point, gu[0][s], kAlpha * kNR);
    for (int i = 0; i < 3; ++i) apply_gt<kNR>(gu[i][0], kNR, w[i][0], kNR);
    float* dw = diff_weights + ((k0 + l) * p.C + c0) * 9;
    for (int64_t c = 0; c < nc; ++c)
      for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) dw[c * 9 + i * 3 + j] += w[i][j][c];
  }
}

}  // namespace

void winograd_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                               float* diff_weights) {
  const Plan p = make_plan(g, nullptr, false);
  const int64_t CP = (p.C + kNR - 1) / kNR;
  // Tiles per chunk: both packed operands within kChunkFloats; depends on the shape only, so the
  // sums over chunks (and thus the results) are the same for every thread count.
  const int64_t per_tile = kPoints * std::max(CP * kNR, p.KP * kLanes);
  const int64_t nt_max = std::max<int64_t>(1, std::min(p.T, kChunkFloats / per_tile));
  thread_local std::vector<float> v_buf, m_buf;
  for (int64_t t0 = 0; t0 < p.T; t0 += nt_max) {
    const int64_t nt = std::min(nt_max, p.T - t0);
    const int64_t v_panel = kPoints * nt * kNR, m_panel = kPoints * nt * kLanes;
    float* v = reserve_aligned(v_buf, CP * v_panel);
    float* m = reserve_aligned(m_buf, p.KP * m_panel);
    parallel_for(CP + p.KP, 1, [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i)
        if (i < CP)
          input_by_channel(p, src, i, t0, nt, v + i * v_panel);
        else
          output_grad_by_filter(p, diff_dst, i - CP, t0, nt, m + (i - CP) * m_panel);
    });
    parallel_for(p.KP * CP, 1, [&](int64_t i0, int64_t i1) {
      alignas(32) float acc[kPoints * kMR * kNR];
      for (int64_t i = i0; i < i1; ++i) {
        const int64_t kp = i / CP, cp = i % CP;
        for (int64_t xi = 0; xi < kPoints; ++xi)
          micro_kernel(nt, m + kp * m_panel + xi * nt * kLanes, v + cp * v_panel + xi * nt * kNR,
                       acc + xi * kMR * kNR);
        add_weight_grads(p, acc, kp, cp, diff_weights);
      }
    });
  }
}

}  // namespace convnet::kernels
