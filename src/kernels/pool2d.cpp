#include "kernels/pool2d.h"

#include <algorithm>
#include <limits>

namespace convnet::kernels {
namespace {

// The window of one output position, clipped to the input ([h0, h1) x [w0, w1)), and the tap count
// avg pooling divides by.
struct Window {
  int64_t h0, h1, w0, w1, count;
};

Window window(const PoolGeom& g, int64_t oh, int64_t ow, bool count_include_pad) {
  const int64_t hs = oh * g.SH - g.PT, ws = ow * g.SW - g.PL;
  Window w{std::max<int64_t>(hs, 0), std::min(hs + g.KH, g.IH), std::max<int64_t>(ws, 0),
           std::min(ws + g.KW, g.IW), 0};
  if (count_include_pad) {
    // Clip to the padded input; bottom/right padding is what the output size implies.
    const int64_t pb = std::max<int64_t>((g.OH - 1) * g.SH + g.KH - g.IH - g.PT, 0);
    const int64_t pr = std::max<int64_t>((g.OW - 1) * g.SW + g.KW - g.IW - g.PL, 0);
    w.count = (std::min(hs + g.KH, g.IH + pb) - hs) * (std::min(ws + g.KW, g.IW + pr) - ws);
  } else {
    w.count = (w.h1 - w.h0) * (w.w1 - w.w0);
  }
  return w;
}

// Index of the window's maximum within the plane (-1 for an empty window). The first maximum
// wins ties, and a NaN wins outright, as in PyTorch.
int32_t window_argmax(const PoolGeom& g, const float* plane, const Window& w) {
  int32_t best_i = -1;
  for (int64_t ih = w.h0; ih < w.h1; ++ih)
    for (int64_t iw = w.w0; iw < w.w1; ++iw) {
      const int32_t i = int32_t(ih * g.IW + iw);
      const float v = plane[i];
      if (v != v) return i;
      if (best_i < 0 || v > plane[best_i]) best_i = i;
    }
  return best_i;
}

}  // namespace

void max_pool2d_forward(const PoolGeom& g, const float* src, float* dst, int32_t* argmax) {
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const float* s = src + nc * in_plane;
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const int32_t best_i = window_argmax(g, s, window(g, oh, ow, false));
        const int64_t o = nc * out_plane + oh * g.OW + ow;
        dst[o] = best_i >= 0 ? s[best_i] : -std::numeric_limits<float>::infinity();
        argmax[o] = best_i;
      }
  }
}

void max_pool2d_backward(const PoolGeom& g, const float* diff_dst, const int32_t* argmax,
                         float* diff_src) {
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  std::fill_n(diff_src, g.N * g.C * in_plane, 0.0f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc)
    for (int64_t o = 0; o < out_plane; ++o) {
      const int32_t i = argmax[nc * out_plane + o];
      if (i >= 0) diff_src[nc * in_plane + i] += diff_dst[nc * out_plane + o];
    }
}

void avg_pool2d_forward(const PoolGeom& g, bool count_include_pad, const float* src, float* dst) {
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const float* s = src + nc * in_plane;
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const Window w = window(g, oh, ow, count_include_pad);
        float sum = 0.0f;
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) sum += s[ih * g.IW + iw];
        dst[nc * out_plane + oh * g.OW + ow] = w.count > 0 ? sum / float(w.count) : 0.0f;
      }
  }
}

void avg_pool2d_backward(const PoolGeom& g, bool count_include_pad, const float* diff_dst,
                         float* diff_src) {
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  std::fill_n(diff_src, g.N * g.C * in_plane, 0.0f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    float* d = diff_src + nc * in_plane;
    for (int64_t oh = 0; oh < g.OH; ++oh)
      for (int64_t ow = 0; ow < g.OW; ++ow) {
        const Window w = window(g, oh, ow, count_include_pad);
        if (w.count == 0) continue;
        const float share = diff_dst[nc * out_plane + oh * g.OW + ow] / float(w.count);
        for (int64_t ih = w.h0; ih < w.h1; ++ih)
          for (int64_t iw = w.w0; iw < w.w1; ++iw) d[ih * g.IW + iw] += share;
      }
  }
}

}  // namespace convnet::kernels
