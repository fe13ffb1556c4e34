#include "kernels/depthwise_conv2d.h"

#include <algorithm>
#include <limits>
#include <vector>

#include "kernels/depthwise_3x3.h"
#include "kernels/parallel.h"

namespace convnet::kernels {
namespace {

// Items of `work` multiply-adds each that a thread should get before a split pays.
int64_t grain_for(int64_t work) {
  return std::max<int64_t>(1, 32768 / std::max<int64_t>(work, 1));
}

// For output row oh of a plane and each kernel tap (kh, kw) whose row lies inside the input, calls
// f(src_row, w_index, ow_begin, ow_end, iw_begin): the outputs ow in [ow_begin, ow_end) read
// src_row[iw_begin + (ow - ow_begin) * SW], all inside the input. The generic paths differ only in
// what they do with such a row segment.
template <typename F>
void for_each_row_tap(const ConvGeom& g, int64_t oh, F&& f) {
  for (int64_t kh = 0; kh < g.KH; ++kh) {
    const int64_t ih = oh * g.SH - g.PT + kh * g.DH;
    if (ih < 0 || ih >= g.IH) continue;
    for (int64_t kw = 0; kw < g.KW; ++kw) {
      // iw = ow*SW + off must lie in [0, IW): ow >= ceil(-off / SW), ow <= (IW-1-off) / SW.
      const int64_t off = kw * g.DW - g.PL;
      const int64_t ow0 = off >= 0 ? 0 : (-off + g.SW - 1) / g.SW;
      const int64_t ow1 = off > g.IW - 1 ? 0 : std::min(g.OW, (g.IW - 1 - off) / g.SW + 1);
      if (ow0 < ow1) f(ih * g.IW, kh * g.KW + kw, ow0, ow1, ow0 * g.SW + off);
    }
  }
}

// One output plane of any geometry: dst = the correlation of src with w [KH, KW].
void generic_plane(const ConvGeom& g, const float* src, const float* w, float* dst) {
  std::fill_n(dst, g.OH * g.OW, 0.0f);
  const int64_t SW = g.SW;
  for (int64_t oh = 0; oh < g.OH; ++oh)
    for_each_row_tap(g, oh, [&](int64_t s, int64_t wi, int64_t ow0, int64_t ow1, int64_t iw0) {
      const float wv = w[wi];
      const float* x = src + s + iw0;
      float* y = dst + oh * g.OW;
      if (SW == 1)  // written so that it vectorizes
        for (int64_t ow = ow0; ow < ow1; ++ow) y[ow] += wv * x[ow - ow0];
      else
        for (int64_t ow = ow0; ow < ow1; ++ow) y[ow] += wv * x[(ow - ow0) * SW];
    });
}

Plane3x3 plane_geom(const ConvGeom& g) {
  return {.IH = g.IH,
          .IW = g.IW,
          .OH = g.OH,
          .OW = g.OW,
          .SH = g.SH,
          .SW = g.SW,
          .PT = g.PT,
          .PL = g.PL,
          .DH = g.DH};
}

// sum_i a[i] * b[i * stride] over eight float lanes (they vectorize at stride 1), lanes summed
// last: an order fixed by n alone.
float dot(const float* a, const float* b, int64_t n, int64_t stride) {
  float lane[8] = {};
  int64_t i = 0;
  if (stride == 1)
    for (; i + 8 <= n; i += 8)
      for (int k = 0; k < 8; ++k) lane[k] += a[i + k] * b[i + k];
  float s = 0.0f;
  for (; i < n; ++i) s += a[i] * b[i * stride];
  for (int k = 0; k < 8; ++k) s += lane[k];
  return s;
}

// sum_i a[i] in the lane order of dot.
float sum(const float* a, int64_t n) {
  float lane[8] = {};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int k = 0; k < 8; ++k) lane[k] += a[i + k];
  float s = 0.0f;
  for (; i < n; ++i) s += a[i];
  for (int k = 0; k < 8; ++k) s += lane[k];
  return s;
}

}  // namespace

bool depthwise_fast_path(const ConvGeom& g) {
  return g.KH == 3 && g.KW == 3 && g.DW == 1 && (g.SW == 1 || g.SW == 2);
}

void depthwise_conv2d_forward(const ConvGeom& g, const float* src, const float* weights,
                              const float* bias, float* dst) {
  depthwise_conv2d_forward(g, src, weights, Epilogue{.shift = bias}, dst);
}

void depthwise_conv2d_forward(const ConvGeom& g, const float* src, const float* weights,
                              const Epilogue& ep, float* dst) {
  const int64_t M = g.OC / g.IC, P = g.OH * g.OW, taps = g.KH * g.KW;
  const bool fast = depthwise_fast_path(g);
  // The fast path applies affine maps with ReLU/ReLU6 to each row as it finishes; other
  // epilogues run on the plane while it is still in cache.
  const float inf = std::numeric_limits<float>::infinity();
  const bool by_rows =
      fast && !ep.identity() &&
      (ep.act == Activation::linear || ep.act == Activation::relu || ep.act == Activation::relu6);
  const float lo = ep.act == Activation::linear ? -inf : 0.0f;
  const float hi = ep.act == Activation::relu6 ? 6.0f : inf;
  // One (n, oc) plane per item.
  parallel_for(g.N * g.OC, grain_for(P * taps), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / g.OC, oc = i % g.OC;
      const float* x = src + (n * g.IC + oc / M) * g.IH * g.IW;
      float* y = dst + i * P;
      if (fast) {
        Plane3x3 p = plane_geom(g);
        if (by_rows) {
          p.clamp = true, p.lo = lo, p.hi = hi;
          p.scale = ep.scale ? ep.scale[oc] : 1.0f;
          p.shift = ep.shift ? ep.shift[oc] : 0.0f;
        }
        depthwise_3x3_plane(p, x, weights + oc * taps, y);
      } else {
        generic_plane(g, x, weights + oc * taps, y);
      }
      if (!by_rows && !ep.identity()) epilogue_plane(ep, oc, y, P);
    }
  });
}

void depthwise_conv2d_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                                    float* diff_src) {
  const int64_t M = g.OC / g.IC, taps = g.KH * g.KW, IP = g.IH * g.IW;
  if (M == 1 && g.SH == 1 && g.DH == 1 && depthwise_fast_path(g) && g.SW == 1) {
    // diff_src[ih, iw] = sum w[kh, kw] * diff_dst[ih + PT - kh, iw + PL - kw]: a forward pass
    // over diff_dst with the filter turned by 180 degrees and padding 2 - PT, 2 - PL.
    const Plane3x3 p{.IH = g.OH,
                     .IW = g.OW,
                     .OH = g.IH,
                     .OW = g.IW,
                     .SH = 1,
                     .SW = 1,
                     .PT = 2 - g.PT,
                     .PL = 2 - g.PL,
                     .DH = 1};
    parallel_for(g.N * g.IC, grain_for(IP * taps), [&](int64_t i0, int64_t i1) {
      for (int64_t i = i0; i < i1; ++i) {
        const float* w = weights + (i % g.IC) * taps;
        const float flipped[9] = {w[8], w[7], w[6], w[5], w[4], w[3], w[2], w[1], w[0]};
        depthwise_3x3_plane(p, diff_dst + i * g.OH * g.OW, flipped, diff_src + i * IP);
      }
    });
    return;
  }
  // Scatter every output's taps back, one (n, ic) plane per item (its M outputs in order).
  parallel_for(g.N * g.IC, grain_for(M * g.OH * g.OW * taps), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / g.IC, ic = i % g.IC;
      float* dx_plane = diff_src + i * IP;
      std::fill_n(dx_plane, IP, 0.0f);
      for (int64_t oc = ic * M; oc < (ic + 1) * M; ++oc) {
        const float* dy_plane = diff_dst + (n * g.OC + oc) * g.OH * g.OW;
        for (int64_t oh = 0; oh < g.OH; ++oh)
          for_each_row_tap(g, oh,
                           [&](int64_t s, int64_t wi, int64_t ow0, int64_t ow1, int64_t iw0) {
                             const float w = weights[oc * taps + wi];
                             float* dx = dx_plane + s + iw0;
                             const float* dy = dy_plane + oh * g.OW;
                             if (g.SW == 1)
                               for (int64_t ow = ow0; ow < ow1; ++ow) dx[ow - ow0] += w * dy[ow];
                             else
                               for (int64_t ow = ow0; ow < ow1; ++ow)
                                 dx[(ow - ow0) * g.SW] += w * dy[ow];
                           });
      }
    }
  });
}

void depthwise_conv2d_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                                       float* diff_weights, float* diff_bias) {
  const int64_t M = g.OC / g.IC, taps = g.KH * g.KW, P = g.OH * g.OW;
  // 3x3 at stride 1: one flat sum per tap and plane (depthwise_3x3.h).
  const bool fast = depthwise_fast_path(g) && g.SH == 1 && g.SW == 1;
  // One output channel per item, its images in order: row (fast path: plane) sums in float, the
  // total over rows and images in double.
  parallel_for(g.OC, grain_for(g.N * P * taps), [&](int64_t oc0, int64_t oc1) {
    std::vector<double> acc(static_cast<size_t>(taps));
    for (int64_t oc = oc0; oc < oc1; ++oc) {
      std::fill(acc.begin(), acc.end(), 0.0);
      double bias_sum = 0.0;
      for (int64_t n = 0; n < g.N; ++n) {
        const float* x_plane = src + (n * g.IC + oc / M) * g.IH * g.IW;
        const float* dy_plane = diff_dst + (n * g.OC + oc) * P;
        if (diff_bias) bias_sum += sum(dy_plane, P);
        if (fast) {
          float plane[9];
          depthwise_3x3_plane_weight_grad(plane_geom(g), x_plane, dy_plane, plane);
          for (int k = 0; k < 9; ++k) acc[size_t(k)] += plane[k];
          continue;
        }
        for (int64_t oh = 0; oh < g.OH; ++oh) {
          const float* dy = dy_plane + oh * g.OW;
          for_each_row_tap(g, oh,
                           [&](int64_t s, int64_t wi, int64_t ow0, int64_t ow1, int64_t iw0) {
                             acc[size_t(wi)] += dot(dy + ow0, x_plane + s + iw0, ow1 - ow0, g.SW);
                           });
        }
      }
      for (int64_t k = 0; k < taps; ++k) diff_weights[oc * taps + k] += float(acc[size_t(k)]);
      if (diff_bias) diff_bias[oc] += float(bias_sum);
    }
  });
}

}  // namespace convnet::kernels
