// The three transforms of Winograd F(4x4, 3x3) (see winograd.h), each on one panel: the packed
// unit that the 6x16 micro-kernel reads. Matrices (Lavin & Gray 2015, points 0, +-1, +-2, inf):
//
//   B^T = [4  0 -5  0 1 0]    G = [ 1/4     0    0 ]    A^T = [1 1  1 1  1 0]
//         [0 -4 -4  1 1 0]        [-1/6  -1/6 -1/6 ]          [0 1 -1 2 -2 0]
//         [0  4 -4 -1 1 0]        [-1/6   1/6 -1/6 ]          [0 1  1 4  4 0]
//         [0 -2 -1  2 1 0]        [1/24  1/12  1/6 ]          [0 1 -1 8 -8 1]
//         [0  2 -1 -2 1 0]        [1/24 -1/12  1/6 ]
//         [0  4  0 -5 0 1]        [ 0     0    1   ]
//
// Each 2-D transform X -> M^T X M runs as two 1-D passes (columns, then rows), vectorized across
// the panel's lanes: 16 tiles for inputs and outputs, the 6 filters of a panel for weights.
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/conv2d.h"

namespace convnet::kernels::winograd {

constexpr int64_t kTile = 4;     // outputs per tile side
constexpr int64_t kAlpha = 6;    // inputs per tile side: kTile + 3 - 1
constexpr int64_t kPoints = 36;  // points of a transformed tile: kAlpha^2
constexpr int64_t kMR = 6;       // filters (output channels) per panel: micro-kernel rows
constexpr int64_t kNR = 16;      // tiles per panel: micro-kernel columns
constexpr int64_t kLanes = 8;    // floats per filter-panel row: kMR padded to one AVX2 register

// One convolution as the transforms see it: input [N, C, H, W] -> output [N, K, OH, OW].
// Weight (k, c, i, j) lives at weights[k*wk + c*wc + i*wi + j*wj], which also describes the
// flipped, transposed weights of backward-data without a copy.
struct Plan {
  int64_t N, C, H, W, K, OH, OW;
  int64_t PT, PL;  // top and left padding (negative crops)
  int64_t TH, TW;  // tiles per output column and row
  int64_t T;       // tiles in the batch: N * TH * TW
  int64_t TP, KP;  // tile panels ceil(T / kNR) and filter panels ceil(K / kMR)
  const float* weights;
  int64_t wk, wc, wi, wj;
};

// forward: g's convolution; transposed: the convolution computing g's backward-data.
Plan make_plan(const ConvGeom& g, const float* weights, bool transposed);

// u[xi][c][kLanes] for c in [0, C): U of filters kp*kMR ... + kMR in the first kMR lanes (lanes
// past K hold values whose outputs are never stored; the last two lanes are padding that aligned
// stores write and the micro-kernel skips).
void filter_panel(const Plan& p, int64_t kp, float* u);
// v[xi][c][kNR] for c in [c0, c1) (rows of C*kNR floats per xi): V of tiles tp*kNR ... + kNR
// (zero past T).
void input_panel(const Plan& p, const float* src, int64_t tp, int64_t c0, int64_t c1, float* v);
// Writes the outputs of filter panel kp and tile panel tp from m[xi][kMR][kNR], adding bias
// (may be null).
void output_panel(const Plan& p, const float* m, int64_t kp, int64_t tp, const float* bias,
                  float* dst);

// m[kMR][kNR] = sum over r < n of a[r][0..kMR) (outer product) b[r][0..kNR): the GEMM of every
// Winograd product, rows of a kLanes apart, of b kNR apart, all 32-byte aligned.
void micro_kernel(int64_t n, const float* a, const float* b, float* m);

// n floats at a 64-byte boundary inside v (the micro-kernel's aligned loads); v grows, never
// shrinks, so a thread's workspace is allocated once.
float* reserve_aligned(std::vector<float>& v, int64_t n);

// Copies block[xi][0..n) (rows of `stride` floats, n a multiple of 8) to panel + xi *
// panel_stride for the 36 points.
void store_block(const float* block, int64_t stride, int64_t n, float* panel,
                 int64_t panel_stride);

}  // namespace convnet::kernels::winograd
