#include "kernels/upsample.h"

#include <algorithm>
#include <vector>

namespace convnet::kernels {
namespace {

// The two source indices an output index interpolates between, and the weight of the second.
struct Tap {
  int64_t i0, i1;
  float l1;
};

std::vector<Tap> bilinear_taps(int64_t in, int64_t factor) {
  std::vector<Tap> taps(size_t(in * factor));
  for (int64_t o = 0; o < in * factor; ++o) {
    const double src = std::max((o + 0.5) / double(factor) - 0.5, 0.0);
    const int64_t i0 = std::min(int64_t(src), in - 1);
    taps[size_t(o)] = {i0, std::min(i0 + 1, in - 1), float(src - double(i0))};
  }
  return taps;
}

}  // namespace

void upsample_nearest_forward(const UpsampleGeom& g, const float* src, float* dst) {
  const int64_t OH = g.IH * g.SH, OW = g.IW * g.SW;
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const float* s = src + nc * g.IH * g.IW;
    float* d = dst + nc * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const float* row = s + (oh / g.SH) * g.IW;
      for (int64_t ow = 0; ow < OW; ++ow) d[oh * OW + ow] = row[ow / g.SW];
    }
  }
}

void upsample_nearest_backward(const UpsampleGeom& g, const float* diff_dst, float* diff_src) {
  const int64_t OH = g.IH * g.SH, OW = g.IW * g.SW;
  std::fill_n(diff_src, g.N * g.C * g.IH * g.IW, 0.0f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const float* dd = diff_dst + nc * OH * OW;
    float* ds = diff_src + nc * g.IH * g.IW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      float* row = ds + (oh / g.SH) * g.IW;
      for (int64_t ow = 0; ow < OW; ++ow) row[ow / g.SW] += dd[oh * OW + ow];
    }
  }
}

void upsample_bilinear_forward(const UpsampleGeom& g, const float* src, float* dst) {
  const int64_t OH = g.IH * g.SH, OW = g.IW * g.SW;
  const std::vector<Tap> th = bilinear_taps(g.IH, g.SH), tw = bilinear_taps(g.IW, g.SW);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const float* s = src + nc * g.IH * g.IW;
    float* d = dst + nc * OH * OW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const Tap& h = th[size_t(oh)];
      const float* r0 = s + h.i0 * g.IW;
      const float* r1 = s + h.i1 * g.IW;
      for (int64_t ow = 0; ow < OW; ++ow) {
        const Tap& w = tw[size_t(ow)];
        const float top = (1.0f - w.l1) * r0[w.i0] + w.l1 * r0[w.i1];
        const float bottom = (1.0f - w.l1) * r1[w.i0] + w.l1 * r1[w.i1];
        d[oh * OW + ow] = (1.0f - h.l1) * top + h.l1 * bottom;
      }
    }
  }
}

void upsample_bilinear_backward(const UpsampleGeom& g, const float* diff_dst, float* diff_src) {
  const int64_t OH = g.IH * g.SH, OW = g.IW * g.SW;
  const std::vector<Tap> th = bilinear_taps(g.IH, g.SH), tw = bilinear_taps(g.IW, g.SW);
  std::fill_n(diff_src, g.N * g.C * g.IH * g.IW, 0.0f);
  for (int64_t nc = 0; nc < g.N * g.C; ++nc) {
    const float* dd = diff_dst + nc * OH * OW;
    float* ds = diff_src + nc * g.IH * g.IW;
    for (int64_t oh = 0; oh < OH; ++oh) {
      const Tap& h = th[size_t(oh)];
      float* r0 = ds + h.i0 * g.IW;
      float* r1 = ds + h.i1 * g.IW;
      for (int64_t ow = 0; ow < OW; ++ow) {
        const Tap& w = tw[size_t(ow)];
        const float top = (1.0f - h.l1) * dd[oh * OW + ow], bottom = h.l1 * dd[oh * OW + ow];
        r0[w.i0] += (1.0f - w.l1) * top;
        r0[w.i1] += w.l1 * top;
        r1[w.i0] += (1.0f - w.l1) * bottom;
        r1[w.i1] += w.l1 * bottom;
      }
    }
  }
}

}  // namespace convnet::kernels
