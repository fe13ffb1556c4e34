#include "kernels/pool2d.h"

#include <algorithm>
#include <limits>

#include "kernels/parallel.h"

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

// True when every window lies inside the input (no padding reached): the common 2x2/2 and 3x3/2
// pools, whose loops then skip the clipping.
bool all_inside(const PoolGeom& g) {
  return g.PT == 0 && g.PL == 0 && (g.OH - 1) * g.SH + g.KH <= g.IH &&
         (g.OW - 1) * g.SW + g.KW <= g.IW;
}

// f(plane_begin, plane_end) over the N*C planes, shared among the threads.
template <typename F>
void for_planes(const PoolGeom& g, F&& f) {
  const int64_t per_plane = (g.IH * g.IW + g.OH * g.OW) * 2;
  parallel_for(g.N * g.C, std::max<int64_t>(1, 32768 / std::max<int64_t>(per_plane, 1)), f);
}

// 2x2 windows with stride 2, all inside the input (LeNet's and VGG's pools): every window has
// four taps, rows of outputs read row pairs of the input, and the loops vectorize.
bool is_2x2_stride_2(const PoolGeom& g) {
  return g.KH == 2 && g.KW == 2 && g.SH == 2 && g.SW == 2 && all_inside(g);
}

void avg_pool2x2_forward(const PoolGeom& g, const float* src, float* dst) {
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  for_planes(g, [&](int64_t nc0, int64_t nc1) {
    for (int64_t nc = nc0; nc < nc1; ++nc)
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        const float* r0 = src + nc * in_plane + 2 * oh * g.IW;
        const float* r1 = r0 + g.IW;
        float* d = dst + nc * out_plane + oh * g.OW;
        for (int64_t ow = 0; ow < g.OW; ++ow)
          d[ow] = ((r0[2 * ow] + r0[2 * ow + 1]) + (r1[2 * ow] + r1[2 * ow + 1])) * 0.25f;
      }
  });
}

void avg_pool2x2_backward(const PoolGeom& g, const float* diff_dst, float* diff_src) {
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  // An odd row or column past the last window gets no gradient.
  const bool covered = g.IH == 2 * g.OH && g.IW == 2 * g.OW;
  for_planes(g, [&](int64_t nc0, int64_t nc1) {
    if (!covered) std::fill(diff_src + nc0 * in_plane, diff_src + nc1 * in_plane, 0.0f);
    for (int64_t nc = nc0; nc < nc1; ++nc)
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        float* r0 = diff_src + nc * in_plane + 2 * oh * g.IW;
        float* r1 = r0 + g.IW;
        const float* dd = diff_dst + nc * out_plane + oh * g.OW;
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const float share = dd[ow] * 0.25f;
          r0[2 * ow] = r0[2 * ow + 1] = r1[2 * ow] = r1[2 * ow + 1] = share;
        }
      }
  });
}

}  // namespace

void max_pool2d_forward(const PoolGeom& g, const float* src, float* dst, int32_t* argmax) {
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  for_planes(g, [&](int64_t nc0, int64_t nc1) {
    for (int64_t nc = nc0; nc < nc1; ++nc) {
      const float* s = src + nc * in_plane;
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const int32_t best_i = window_argmax(g, s, window(g, oh, ow, false));
          const int64_t o = nc * out_plane + oh * g.OW + ow;
          dst[o] = best_i >= 0 ? s[best_i] : -std::numeric_limits<float>::infinity();
          argmax[o] = best_i;
        }
    }
  });
}

void max_pool2d_backward(const PoolGeom& g, const float* diff_dst, const int32_t* argmax,
                         float* diff_src) {
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  for_planes(g, [&](int64_t nc0, int64_t nc1) {
    std::fill(diff_src + nc0 * in_plane, diff_src + nc1 * in_plane, 0.0f);
    for (int64_t nc = nc0; nc < nc1; ++nc)
      for (int64_t o = 0; o < out_plane; ++o) {
        const int32_t i = argmax[nc * out_plane + o];
        if (i >= 0) diff_src[nc * in_plane + i] += diff_dst[nc * out_plane + o];
      }
  });
}

void avg_pool2d_forward(const PoolGeom& g, bool count_include_pad, const float* src, float* dst) {
  if (is_2x2_stride_2(g)) return avg_pool2x2_forward(g, src, dst);
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  const bool inside = all_inside(g);
  for_planes(g, [&](int64_t nc0, int64_t nc1) {
    for (int64_t nc = nc0; nc < nc1; ++nc) {
      const float* s = src + nc * in_plane;
      float* d = dst + nc * out_plane;
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        if (inside) {
          // The same sums in the same order as below, without the clipping.
          for (int64_t ow = 0; ow < g.OW; ++ow) {
            const float* w = s + oh * g.SH * g.IW + ow * g.SW;
            float sum = 0.0f;
            for (int64_t kh = 0; kh < g.KH; ++kh)
              for (int64_t kw = 0; kw < g.KW; ++kw) sum += w[kh * g.IW + kw];
            d[oh * g.OW + ow] = sum / float(g.KH * g.KW);
          }
          continue;
        }
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const Window w = window(g, oh, ow, count_include_pad);
          float sum = 0.0f;
          for (int64_t ih = w.h0; ih < w.h1; ++ih)
            for (int64_t iw = w.w0; iw < w.w1; ++iw) sum += s[ih * g.IW + iw];
          d[oh * g.OW + ow] = w.count > 0 ? sum / float(w.count) : 0.0f;
        }
      }
    }
  });
}

void avg_pool2d_backward(const PoolGeom& g, bool count_include_pad, const float* diff_dst,
                         float* diff_src) {
  if (is_2x2_stride_2(g)) return avg_pool2x2_backward(g, diff_dst, diff_src);
  const int64_t in_plane = g.IH * g.IW, out_plane = g.OH * g.OW;
  const bool inside = all_inside(g);
  for_planes(g, [&](int64_t nc0, int64_t nc1) {
    std::fill(diff_src + nc0 * in_plane, diff_src + nc1 * in_plane, 0.0f);
    for (int64_t nc = nc0; nc < nc1; ++nc) {
      float* d = diff_src + nc * in_plane;
      const float* dd = diff_dst + nc * out_plane;
      for (int64_t oh = 0; oh < g.OH; ++oh) {
        if (inside) {
          for (int64_t ow = 0; ow < g.OW; ++ow) {
            const float share = dd[oh * g.OW + ow] / float(g.KH * g.KW);
            float* w = d + oh * g.SH * g.IW + ow * g.SW;
            for (int64_t kh = 0; kh < g.KH; ++kh)
              for (int64_t kw = 0; kw < g.KW; ++kw) w[kh * g.IW + kw] += share;
          }
          continue;
        }
        for (int64_t ow = 0; ow < g.OW; ++ow) {
          const Window w = window(g, oh, ow, count_include_pad);
          if (w.count == 0) continue;
          const float share = dd[oh * g.OW + ow] / float(w.count);
          for (int64_t ih = w.h0; ih < w.h1; ++ih)
            for (int64_t iw = w.w0; iw < w.w1; ++iw) d[ih * g.IW + iw] += share;
        }
      }
    }
  });
}

}  // namespace convnet::kernels
