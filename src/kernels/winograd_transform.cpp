#include "kernels/winograd_transform.h"

#include <immintrin.h>

#include <algorithm>

#include "kernels/winograd_passes.h"

namespace convnet::kernels::winograd {
namespace {

// G applied to a column (g0, g1, g2) of kernel values, one filter per lane.
inline void apply_g(__m256 g0, __m256 g1, __m256 g2, __m256 out[kAlpha]) {
  const __m256 s = g0 + g2, p = g0 * (1.0f / 24.0f) + g2 * (1.0f / 6.0f), q = g1 * (1.0f / 12.0f);
  out[0] = g0 * 0.25f;
  out[1] = (s + g1) * (-1.0f / 6.0f);
  out[2] = (s - g1) * (-1.0f / 6.0f);
  out[3] = p + q;
  out[4] = p - q;
  out[5] = g2;
}

// out[j][i] = rows[i][j] for 8x8 floats.
void transpose8x8(const __m256 (&r)[8], __m256 (&out)[8]) {
  __m256 t[8], q[8];
  for (int i = 0; i < 4; ++i) {
    t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
    t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
  }
  for (int h = 0; h < 2; ++h) {
    q[4 * h + 0] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0x44);
    q[4 * h + 1] = _mm256_shuffle_ps(t[4 * h], t[4 * h + 2], 0xEE);
    q[4 * h + 2] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0x44);
    q[4 * h + 3] = _mm256_shuffle_ps(t[4 * h + 1], t[4 * h + 3], 0xEE);
  }
  for (int j = 0; j < 4; ++j) {
    out[j] = _mm256_permute2f128_ps(q[j], q[4 + j], 0x20);
    out[4 + j] = _mm256_permute2f128_ps(q[j], q[4 + j], 0x31);
  }
}

// Where the tiles of a panel lie: image, first input row and column of each lane's 6x6 patch.
struct TileOrigins {
  int64_t count;  // valid lanes
  int64_t n[kNR], row[kNR], col[kNR];
};
TileOrigins tile_origins(const Plan& p, int64_t tp) {
  TileOrigins o{};
  o.count = std::min(kNR, p.T - tp * kNR);
  for (int64_t l = 0; l < o.count; ++l) {
    const int64_t t = tp * kNR + l, per_image = p.TH * p.TW, r = t % per_image;
    o.n[l] = t / per_image;
    o.row[l] = (r / p.TW) * kTile;
    o.col[l] = (r % p.TW) * kTile;
  }
  return o;
}

// How to load each lane's patch rows with one masked AVX2 load each: the columns that lie inside
// the image are read (from column max(q0, 0)) and, for a patch starting left of the image,
// permuted right by `shift` lanes, the zero-filled lane 7 supplying the padding.
struct PatchLoads {
  int64_t offset[kNR];  // src offset of channel 0's patch row 0, column max(q0, 0)
  uint32_t rows[kNR];   // bit i: patch row i lies inside the image (none past the last tile)
  int64_t shift[kNR];
  bool plain[kNR];  // all 8 columns inside the image: a plain load (masked ones are slow on Zen 4)
  __m256i load_mask[kNR], place[kNR];
};
PatchLoads patch_loads(const Plan& p, const TileOrigins& o) {
  PatchLoads L{};
  for (int64_t l = 0; l < o.count; ++l) {
    const int64_t r0 = o.row[l] - p.PT, q0 = o.col[l] - p.PL;
    const int64_t shift = std::max<int64_t>(0, -q0), q = q0 + shift;
    if (shift >= kAlpha || q >= p.W) continue;  // the patch misses the image: all zero
    for (int i = 0; i < kAlpha; ++i)
      if (r0 + i >= 0 && r0 + i < p.H) L.rows[l] |= 1u << i;
    L.offset[l] = o.n[l] * p.C * p.H * p.W + r0 * p.W + q;
    L.shift[l] = shift;
    L.plain[l] = shift == 0 && q + 8 <= p.W;
    alignas(32) int32_t mask[8], place[8];
    for (int64_t e = 0; e < 8; ++e) {
      mask[e] = (e + shift < kAlpha && q + e < p.W) ? -1 : 0;
      place[e] = int32_t(e >= shift ? e - shift : 7);
    }
    L.load_mask[l] = _mm256_load_si256(reinterpret_cast<const __m256i*>(mask));
    L.place[l] = _mm256_load_si256(reinterpret_cast<const __m256i*>(place));
  }
  return L;
}

// The 6x6 input patches of channel c under the panel's tiles, d[i][j][lane], zero outside the
// image and for lanes past the last tile: per patch row, eight lanes' rows loaded as vectors and
// transposed (scalar copies cost twice as much and stall store forwarding).
void gather_patches(const Plan& p, const PatchLoads& L, const float* src, int64_t c,
                    float (&d)[kAlpha][kAlpha][kNR]) {
  const float* plane = src + c * p.H * p.W;
  for (int64_t h = 0; h < kNR; h += 8)
    for (int i = 0; i < kAlpha; ++i) {
      __m256 r[8], t[8];
      for (int64_t e = 0; e < 8; ++e) {
        const int64_t l = h + e;
        if (!((L.rows[l] >> i) & 1u)) {
          r[e] = _mm256_setzero_ps();
          continue;
        }
        const float* row = plane + L.offset[l] + i * p.W;
        if (L.plain[l]) {
          r[e] = _mm256_loadu_ps(row);
          continue;
        }
        r[e] = _mm256_maskload_ps(row, L.load_mask[l]);
        if (L.shift[l] != 0) r[e] = _mm256_permutevar8x32_ps(r[e], L.place[l]);
      }
      transpose8x8(r, t);
      for (int j = 0; j < kAlpha; ++j) _mm256_store_ps(&d[i][j][h], t[j]);
    }
}

}  // namespace

// Transforms compute all 36 points of one channel at a time; storing them straight into the
// panel would write 36 streams a power-of-two stride apart, which share one L1 set and evict each
// other, so a few channels are gathered here and stored as 36 contiguous runs.
// n is a multiple of 8. GCC turns any copy loop here into `rep movsq`, whose start-up cost
// dwarfs these 256-byte copies, unless told not to.
__attribute__((optimize("no-tree-loop-distribute-patterns"), noinline)) void store_block(
    const float* block, int64_t stride, int64_t n, float* panel, int64_t panel_stride) {
  for (int64_t xi = 0; xi < kPoints; ++xi)
    for (int64_t i = 0; i < n; i += 8)
      _mm256_storeu_ps(panel + xi * panel_stride + i, _mm256_loadu_ps(block + xi * stride + i));
}

float* reserve_aligned(std::vector<float>& v, int64_t n) {
  if (int64_t(v.size()) < n + 16) v.resize(size_t(n + 16));
  const auto addr = reinterpret_cast<uintptr_t>(v.data());
  return v.data() + ((64 - addr % 64) % 64) / sizeof(float);
}

Plan make_plan(const ConvGeom& g, const float* weights, bool transposed) {
  Plan p{};
  p.N = g.N;
  if (!transposed) {
    p.C = g.IC, p.H = g.IH, p.W = g.IW, p.K = g.OC, p.OH = g.OH, p.OW = g.OW;
    p.PT = g.PT, p.PL = g.PL;
    // weights [K, C, 3, 3]
    p.weights = weights, p.wk = g.IC * 9, p.wc = 9, p.wi = 3, p.wj = 1;
  } else {
    // diff_src = diff_dst (*) flip(weights)^T with padding 2 - P: weights [OC, IC, 3, 3] read
    // as [IC, OC, 3, 3], each 3x3 kernel turned by 180 degrees.
    p.C = g.OC, p.H = g.OH, p.W = g.OW, p.K = g.IC, p.OH = g.IH, p.OW = g.IW;
    p.PT = g.KH - 1 - g.PT, p.PL = g.KW - 1 - g.PL;
    p.weights = weights + 8, p.wk = 9, p.wc = g.IC * 9, p.wi = -3, p.wj = -1;
  }
  p.TH = (p.OH + kTile - 1) / kTile;
  p.TW = (p.OW + kTile - 1) / kTile;
  p.T = p.N * p.TH * p.TW;
  p.TP = (p.T + kNR - 1) / kNR;
  p.KP = (p.K + kMR - 1) / kMR;
  return p;
}

namespace {

// staged[cc * 9 + e][lane] for 8 channels from c0 when each filter's weights for them are 72
// contiguous floats (forward weights [K, C, 3, 3]): nine 8x8 transposes instead of 432 scalar
// copies. Lanes past the panel's nk filters repeat the last one (the micro-kernel ignores them).
void stage_contiguous(const Plan& p, int64_t k0, int64_t nk, int64_t c0, float* staged) {
  const float* rows[8];
  for (int64_t l = 0; l < 8; ++l)
    rows[l] = p.weights + (k0 + std::min(l, nk - 1)) * p.wk + c0 * 9;
  for (int b = 0; b < 9; ++b) {
    __m256 r[8], t[8];
    for (int l = 0; l < 8; ++l) r[l] = _mm256_loadu_ps(rows[l] + b * 8);
    transpose8x8(r, t);
    for (int j = 0; j < 8; ++j) _mm256_store_ps(staged + (b * 8 + j) * kLanes, t[j]);
  }
}

}  // namespace

void filter_panel(const Plan& p, int64_t kp, float* u) {
  // The panel's filters go to the lanes of one register: weights are first copied, a block of
  // channels at a time, into lane-major order (reading them back right after scalar stores would
  // stall store forwarding), then G g G^T runs in registers and each point is one aligned store.
  constexpr int64_t kBlock = 8;
  const int64_t k0 = kp * kMR, nk = std::min(kMR, p.K - k0);
  alignas(32) float staged[kBlock][9][kLanes] = {};
  alignas(32) float block[kPoints][kBlock][kLanes];
  for (int64_t c0 = 0; c0 < p.C; c0 += kBlock) {
    const int64_t nc = std::min(kBlock, p.C - c0);
    if (nc == kBlock && p.wc == 9 && p.wj == 1) {
      stage_contiguous(p, k0, nk, c0, &staged[0][0][0]);
    } else {
      for (int64_t cc = 0; cc < nc; ++cc)
        for (int64_t l = 0; l < nk; ++l) {
          const float* w = p.weights + (k0 + l) * p.wk + (c0 + cc) * p.wc;
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) staged[cc][i * 3 + j][l] = w[i * p.wi + j * p.wj];
        }
    }
    for (int64_t cc = 0; cc < nc; ++cc) {
      __m256 g[9], gt[3][kAlpha], out[kAlpha];
      for (int e = 0; e < 9; ++e) g[e] = _mm256_load_ps(staged[cc][e]);
      // gt = G g (over kernel rows, per kernel column j), then each row r of gt G^T.
      for (int j = 0; j < 3; ++j) apply_g(g[j], g[3 + j], g[6 + j], gt[j]);
      for (int r = 0; r < kAlpha; ++r) {
        apply_g(gt[0][r], gt[1][r], gt[2][r], out);
        for (int s = 0; s < kAlpha; ++s) _mm256_store_ps(block[r * kAlpha + s][cc], out[s]);
      }
    }
    store_block(&block[0][0][0], kBlock * kLanes, nc * kLanes, u + c0 * kLanes, p.C * kLanes);
  }
}

void input_panel(const Plan& p, const float* src, int64_t tp, int64_t c0, int64_t c1, float* v) {
  constexpr int64_t kBlock = 4;  // channels transformed before their 36 points are stored
  const PatchLoads loads = patch_loads(p, tile_origins(p, tp));
  alignas(32) float d[kAlpha][kAlpha][kNR], bd[kAlpha][kAlpha][kNR];
  alignas(32) float block[kPoints][kBlock][kNR];
  for (int64_t cb = c0; cb < c1; cb += kBlock) {
    const int64_t nc = std::min(kBlock, c1 - cb);
    for (int64_t cc = 0; cc < nc; ++cc) {
      gather_patches(p, loads, src, cb + cc, d);
      // bd = B^T d (over patch rows), then V = bd B (over patch columns).
      for (int j = 0; j < kAlpha; ++j)
        apply_bt<kNR>(d[0][j], kAlpha * kNR, bd[0][j], kAlpha * kNR);
      for (int r = 0; r < kAlpha; ++r)
        apply_bt<kNR>(bd[r][0], kNR, block[r * kAlpha][cc], kBlock * kNR);
    }
    store_block(&block[0][0][0], kBlock * kNR, nc * kNR, v + cb * kNR, p.C * kNR);
  }
}

void output_panel(const Plan& p, const float* m, int64_t kp, int64_t tp, const float* bias,
                  float* dst) {
  const TileOrigins o = tile_origins(p, tp);
  const int64_t k0 = kp * kMR, nk = std::min(kMR, p.K - k0);
  alignas(32) float am[kTile][kAlpha][kNR], y[kTile][kTile][kNR];
  for (int64_t l = 0; l < nk; ++l) {
    const int64_t k = k0 + l;
    // m[xi][l][lane] with xi = r * 6 + s: am = A^T m (over r), y = am A (over s).
    const float* mk = m + l * kNR;
    constexpr int64_t point = kMR * kNR;
    for (int s = 0; s < kAlpha; ++s)
      apply_at<kNR>(mk + s * point, kAlpha * point, am[0][s], kAlpha * kNR);
    for (int r = 0; r < kTile; ++r) apply_at<kNR>(am[r][0], kNR, y[r][0], kNR);
    const float b = bias ? bias[k] : 0.0f;
    for (int64_t t = 0; t < o.count; ++t) {
      float* out = dst + (o.n[t] * p.K + k) * p.OH * p.OW;
      const int64_t rows = std::min(kTile, p.OH - o.row[t]);
      const int64_t cols = std::min(kTile, p.OW - o.col[t]);
      for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j)
          out[(o.row[t] + i) * p.OW + o.col[t] + j] = y[i][j][t] + b;
    }
  }
}

}  // namespace convnet::kernels::winograd
