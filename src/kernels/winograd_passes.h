// The 1-D passes of the Winograd F(4x4, 3x3) transforms (matrices in winograd_transform.h), over
// L lanes: element e of the input vector is in[e * is + lane], of the result out[e * os + lane].
// Written lane-innermost so that the compiler vectorizes them. A 2-D transform M^T X M is two
// passes: over the rows of X (is = row stride), then over the columns of the result.
#pragma once

#include <cstdint>

namespace convnet::kernels::winograd {

// B^T d: 6 -> 6 (input tiles).
template <int L>
inline void apply_bt(const float* __restrict in, int64_t is, float* __restrict out, int64_t os) {
  for (int l = 0; l < L; ++l) {
    const float d0 = in[l], d1 = in[is + l], d2 = in[2 * is + l], d3 = in[3 * is + l],
                d4 = in[4 * is + l], d5 = in[5 * is + l];
    out[l] = 4.0f * d0 - 5.0f * d2 + d4;
    out[os + l] = -4.0f * (d1 + d2) + d3 + d4;
    out[2 * os + l] = 4.0f * (d1 - d2) - d3 + d4;
    out[3 * os + l] = 2.0f * (d3 - d1) - d2 + d4;
    out[4 * os + l] = 2.0f * (d1 - d3) - d2 + d4;
    out[5 * os + l] = 4.0f * d1 - 5.0f * d3 + d5;
  }
}

// A^T m: 6 -> 4 (products back to output tiles).
template <int L>
inline void apply_at(const float* __restrict in, int64_t is, float* __restrict out, int64_t os) {
  for (int l = 0; l < L; ++l) {
    const float m0 = in[l], m1 = in[is + l], m2 = in[2 * is + l], m3 = in[3 * is + l],
                m4 = in[4 * is + l], m5 = in[5 * is + l];
    const float s12 = m1 + m2, d12 = m1 - m2, s34 = m3 + m4, d34 = m3 - m4;
    out[l] = m0 + s12 + s34;
    out[os + l] = d12 + 2.0f * d34;
    out[2 * os + l] = s12 + 4.0f * s34;
    out[3 * os + l] = d12 + 8.0f * d34 + m5;
  }
}

// A y: 4 -> 6, the adjoint of apply_at (output gradients into the transformed space).
template <int L>
inline void apply_a(const float* __restrict in, int64_t is, float* __restrict out, int64_t os) {
  for (int l = 0; l < L; ++l) {
    const float y0 = in[l], y1 = in[is + l], y2 = in[2 * is + l], y3 = in[3 * is + l];
    const float s02 = y0 + y2, s13 = y1 + y3, p02 = y0 + 4.0f * y2, p13 = 2.0f * y1 + 8.0f * y3;
    out[l] = y0;
    out[os + l] = s02 + s13;
    out[2 * os + l] = s02 - s13;
    out[3 * os + l] = p02 + p13;
    out[4 * os + l] = p02 - p13;
    out[5 * os + l] = y3;
  }
}

// G^T u: 6 -> 3, the adjoint of the filter transform (transformed gradients back to 3x3).
template <int L>
inline void apply_gt(const float* __restrict in, int64_t is, float* __restrict out, int64_t os) {
  for (int l = 0; l < L; ++l) {
    const float u0 = in[l], u1 = in[is + l], u2 = in[2 * is + l], u3 = in[3 * is + l],
                u4 = in[4 * is + l], u5 = in[5 * is + l];
    const float s12 = u1 + u2, s34 = u3 + u4;
    out[l] = 0.25f * u0 - s12 * (1.0f / 6.0f) + s34 * (1.0f / 24.0f);
    out[os + l] = (u2 - u1) * (1.0f / 6.0f) + (u3 - u4) * (1.0f / 12.0f);
    out[2 * os + l] = s34 * (1.0f / 6.0f) - s12 * (1.0f / 6.0f) + u5;
  }
}

}  // namespace convnet::kernels::winograd
