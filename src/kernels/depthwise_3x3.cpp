#include "kernels/depthwise_3x3.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace convnet::kernels {
namespace {

// Input columns that output column ow reads: ow*SW - PL + {0, 1, 2}. Interior columns read all
// three inside the input; the few others (the borders) take the checked loop.
int64_t ceil_div(int64_t a, int64_t b) {
  return a >= 0 ? (a + b - 1) / b : -((-a) / b);
}
int64_t floor_div(int64_t a, int64_t b) {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// Outputs [ow0, ow1) of one row from input rows r0..r2, all reads inside the rows. Written as a
// plain loop that the compiler vectorizes along W (at stride 2 with even/odd shuffles); inlined
// into each clone of plane_3x3 so that every instruction set gets its own vector width.
template <int SW>
[[gnu::always_inline]] inline void interior_row(const float* __restrict r0,
                                                const float* __restrict r1,
                                                const float* __restrict r2, const float* w,
                                                float* __restrict out, int64_t ow0, int64_t ow1,
                                                int64_t PL) {
  const float w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3], w4 = w[4], w5 = w[5], w6 = w[6],
              w7 = w[7], w8 = w[8];
  for (int64_t ow = ow0; ow < ow1; ++ow) {
    const int64_t i = ow * SW - PL;
    float acc = w0 * r0[i];
    acc += w1 * r0[i + 1];
    acc += w2 * r0[i + 2];
    acc += w3 * r1[i];
    acc += w4 * r1[i + 1];
    acc += w5 * r1[i + 2];
    acc += w6 * r2[i];
    acc += w7 * r2[i + 1];
    acc += w8 * r2[i + 2];
    out[ow] = acc;
  }
}

// An output column with taps outside the input, in the same summation order as interior_row.
float border_output(const float* const r[3], const float* w, int64_t IW, int64_t i) {
  float acc = 0.0f;
  bool first = true;
  for (int kh = 0; kh < 3; ++kh)
    for (int kw = 0; kw < 3; ++kw) {
      const int64_t iw = i + kw;
      const float v = iw >= 0 && iw < IW ? r[kh][iw] : 0.0f;
      acc = first ? w[kh * 3 + kw] * v : acc + w[kh * 3 + kw] * v;
      first = false;
    }
  return acc;
}

// Writes a finished output row: the epilogue applied to `from` (which may be `out`).
[[gnu::always_inline]] inline void finish_row(const Plane3x3& p, const float* from, float* out) {
  if (p.clamp)
    for (int64_t ow = 0; ow < p.OW; ++ow)
      out[ow] = std::min(std::max(from[ow] * p.scale + p.shift, p.lo), p.hi);
  else if (from != out)
    std::copy_n(from, p.OW, out);
}

// Narrow maps (MobileNet's 7- to 28-wide ones), where the checked border columns would cost more
// than the rest: the plane is first copied into a zero-padded scratch that covers every tap of
// every output, so that all outputs are interior. At stride 1 the padded rows form one flat run:
// output q = oh * PW + ow reads scratch q + kh * DH * PW + kw.
template <int SW>
[[gnu::always_inline]] inline void padded_plane_3x3(const Plane3x3& p, const float* src,
                                                    const float* w, float* dst) {
  const int64_t PH = (p.OH - 1) * p.SH + 2 * p.DH + 1, PW = (p.OW - 1) * SW + 3;
  thread_local std::vector<float> pad, run;
  pad.assign(size_t(PH * PW), 0.0f);
  // Padded row r, column c hold input row r - PT, column c - PL.
  const int64_t c0 = std::max<int64_t>(0, p.PL), c1 = std::min<int64_t>(PW, p.IW + p.PL);
  for (int64_t r = std::max<int64_t>(0, p.PT); r < std::min<int64_t>(PH, p.IH + p.PT); ++r)
    if (c0 < c1)
      std::copy(src + (r - p.PT) * p.IW + c0 - p.PL, src + (r - p.PT) * p.IW + c1 - p.PL,
                pad.data() + r * PW + c0);
  const float* x = pad.data();
  if (SW == 1 && p.SH == 1) {
    const int64_t n = (p.OH - 1) * PW + p.OW;
    if (int64_t(run.size()) < n) run.resize(size_t(n));
    interior_row<1>(x, x + p.DH * PW, x + 2 * p.DH * PW, w, run.data(), 0, n, 0);
    for (int64_t oh = 0; oh < p.OH; ++oh) finish_row(p, run.data() + oh * PW, dst + oh * p.OW);
    return;
  }
  for (int64_t oh = 0; oh < p.OH; ++oh) {
    const float* r0 = x + oh * p.SH * PW;
    float* out = dst + oh * p.OW;
    interior_row<SW>(r0, r0 + p.DH * PW, r0 + 2 * p.DH * PW, w, out, 0, p.OW, 0);
    finish_row(p, out, out);
  }
}

// Rows at least this wide take the row-by-row path, narrower ones the padded copy.
constexpr int64_t kMinRowPathWidth = 33;

template <int SW>
[[gnu::always_inline]] inline void plane_3x3(const Plane3x3& p, const float* src, const float* w,
                                             float* dst) {
  if (p.OW < kMinRowPathWidth) return padded_plane_3x3<SW>(p, src, w, dst);
  // Rows above or below the input read a row of zeros, so that only columns need checks.
  thread_local std::vector<float> zeros;
  if (int64_t(zeros.size()) < p.IW) zeros.assign(size_t(p.IW), 0.0f);
  const int64_t lo = std::clamp<int64_t>(ceil_div(p.PL, SW), 0, p.OW);
  const int64_t hi = std::clamp<int64_t>(floor_div(p.IW - 3 + p.PL, SW) + 1, lo, p.OW);
  // Rows [row_lo, row_hi) read three rows inside the input.
  const int64_t row_lo = std::clamp<int64_t>(ceil_div(p.PT, p.SH), 0, p.OH);
  const int64_t row_hi =
      std::clamp<int64_t>(floor_div(p.IH - 1 - 2 * p.DH + p.PT, p.SH) + 1, row_lo, p.OH);
  // At stride 1 with rows as wide as the input's, output q = oh * OW + ow reads input
  // q + (kh * DH - PT) * IW + kw - PL: the interior rows form one long run (which keeps the
  // vectors full on 7- and 14-wide maps), whose wrapped border columns are redone below.
  const bool flat = SW == 1 && p.SH == 1 && p.OW == p.IW && row_lo < row_hi && lo < hi;
  if (flat) {
    const int64_t q0 = row_lo * p.OW + lo, q1 = (row_hi - 1) * p.OW + hi;
    const float* r0 = src + (row_lo - p.PT) * p.IW + lo - p.PL;
    interior_row<1>(r0, r0 + p.DH * p.IW, r0 + 2 * p.DH * p.IW, w, dst + q0, 0, q1 - q0, 0);
  }
  for (int64_t oh = 0; oh < p.OH; ++oh) {
    const float* r[3];
    for (int kh = 0; kh < 3; ++kh) {
      const int64_t ih = oh * p.SH - p.PT + kh * p.DH;
      r[kh] = ih >= 0 && ih < p.IH ? src + ih * p.IW : zeros.data();
    }
    float* out = dst + oh * p.OW;
    for (int64_t ow = 0; ow < lo; ++ow) out[ow] = border_output(r, w, p.IW, ow * SW - p.PL);
    if (!flat || oh < row_lo || oh >= row_hi)
      interior_row<SW>(r[0], r[1], r[2], w, out, lo, hi, p.PL);
    for (int64_t ow = hi; ow < p.OW; ++ow) out[ow] = border_output(r, w, p.IW, ow * SW - p.PL);
    finish_row(p, out, out);
  }
}

// Eight floats, in AVX registers (GCC's vector extension: ymm in both clones).
typedef float Float8 __attribute__((vector_size(32)));
[[gnu::always_inline]] inline Float8 load8(const float* p) {
  Float8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

// dw[t] = sum_i a[i] * b[i + off[t]] for the nine taps t in one pass over a: nine independent
// vector accumulators (so the additions do not wait on each other), lanes summed last.
[[gnu::always_inline]] inline void dot9(const float* __restrict a, const float* __restrict b,
                                        const int64_t off[9], int64_t n, float* dw) {
  Float8 acc[9] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const Float8 x = load8(a + i);
    for (int t = 0; t < 9; ++t) acc[t] += x * load8(b + off[t] + i);
  }
  for (int t = 0; t < 9; ++t) {
    float s = 0.0f;
    for (int64_t j = i; j < n; ++j) s += a[j] * b[off[t] + j];
    for (int k = 0; k < 8; ++k) s += acc[t][k];
    dw[t] = s;
  }
}

// The input in the zero-padded layout of padded_plane_3x3 (stride 1), and diff_dst with the same
// row stride (zeros in the two extra columns): each tap's sum is then one flat dot product,
// diff_dst q against scratch q + kh * DH * PW + kw.
[[gnu::always_inline]] inline void weight_grad_3x3(const Plane3x3& p, const float* src,
                                                   const float* diff_dst, float* dw) {
  const int64_t PH = p.OH - 1 + 2 * p.DH + 1, PW = p.OW + 2;
  thread_local std::vector<float> pad, dy;
  pad.assign(size_t(PH * PW), 0.0f);
  dy.assign(size_t(p.OH * PW), 0.0f);
  const int64_t c0 = std::max<int64_t>(0, p.PL), c1 = std::min<int64_t>(PW, p.IW + p.PL);
  for (int64_t r = std::max<int64_t>(0, p.PT); r < std::min<int64_t>(PH, p.IH + p.PT); ++r)
    if (c0 < c1)
      std::copy(src + (r - p.PT) * p.IW + c0 - p.PL, src + (r - p.PT) * p.IW + c1 - p.PL,
                pad.data() + r * PW + c0);
  for (int64_t oh = 0; oh < p.OH; ++oh)
    std::copy_n(diff_dst + oh * p.OW, p.OW, dy.data() + oh * PW);
  const int64_t n = (p.OH - 1) * PW + p.OW;  // the last row's padding columns would read past
  int64_t off[9];
  for (int t = 0; t < 9; ++t) off[t] = t / 3 * p.DH * PW + t % 3;
  dot9(dy.data(), pad.data(), off, n, dw);
}

// One clone per instruction set, picked at load time by the processor's features
// (__builtin_cpu_supports through GCC's ifunc resolver): the build targets x86-64-v3 (AVX2), and
// the AVX-512 clone runs only where the processor has it.
[[gnu::target_clones("arch=x86-64-v4", "default")]] void plane_3x3_s1(const Plane3x3& p,
                                                                      const float* src,
                                                                      const float* w, float* dst) {
  plane_3x3<1>(p, src, w, dst);
}
[[gnu::target_clones("arch=x86-64-v4", "default")]] void plane_3x3_s2(const Plane3x3& p,
                                                                      const float* src,
                                                                      const float* w, float* dst) {
  plane_3x3<2>(p, src, w, dst);
}

[[gnu::target_clones("arch=x86-64-v4", "default")]] void weight_grad_3x3_s1(const Plane3x3& p,
                                                                            const float* src,
                                                                            const float* diff_dst,
                                                                            float* dw) {
  weight_grad_3x3(p, src, diff_dst, dw);
}

}  // namespace

void depthwise_3x3_plane_weight_grad(const Plane3x3& p, const float* src, const float* diff_dst,
                                     float dw[9]) {
  weight_grad_3x3_s1(p, src, diff_dst, dw);
}

void depthwise_3x3_plane(const Plane3x3& p, const float* src, const float* w, float* dst) {
  if (p.SW == 1)
    plane_3x3_s1(p, src, w, dst);
  else
    plane_3x3_s2(p, src, w, dst);
}

}  // namespace convnet::kernels
