// The direct definitions of convolution and its two gradients, loop by loop, in double.
// Slow on purpose: the tests hold the GEMM kernels to these.
#include <cstddef>
#include <vector>

#include "kernels/conv2d.h"

namespace convnet::kernels {
namespace {

// Calls f(n, oc, oh, ow, ic, kh, kw, src_index, weight_index) for every tap inside the input.
template <typename F>
void for_each_tap(const ConvGeom& g, F&& f) {
  const int64_t ICg = g.IC / g.G, OCg = g.OC / g.G;
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t oc = 0; oc < g.OC; ++oc)
      for (int64_t oh = 0; oh < g.OH; ++oh)
        for (int64_t ow = 0; ow < g.OW; ++ow)
          for (int64_t icg = 0; icg < ICg; ++icg)
            for (int64_t kh = 0; kh < g.KH; ++kh)
              for (int64_t kw = 0; kw < g.KW; ++kw) {
                const int64_t ih = oh * g.SH - g.PT + kh * g.DH;
                const int64_t iw = ow * g.SW - g.PL + kw * g.DW;
                if (ih < 0 || ih >= g.IH || iw < 0 || iw >= g.IW) continue;
                const int64_t ic = (oc / OCg) * ICg + icg;
                const int64_t dst_i = ((n * g.OC + oc) * g.OH + oh) * g.OW + ow;
                const int64_t src_i = ((n * g.IC + ic) * g.IH + ih) * g.IW + iw;
                const int64_t w_i = ((oc * ICg + icg) * g.KH + kh) * g.KW + kw;
                f(dst_i, src_i, w_i);
              }
}

}  // namespace

void conv2d_forward_ref(const ConvGeom& g, const float* src, const float* weights,
                        const float* bias, float* dst) {
  const int64_t P = g.OH * g.OW;
  std::vector<double> acc(std::size_t(g.N * g.OC * P), 0.0);
  for_each_tap(g, [&](int64_t d, int64_t s, int64_t w) { acc[d] += double(src[s]) * weights[w]; });
  for (int64_t i = 0; i < int64_t(acc.size()); ++i)
    dst[i] = float(acc[i] + (bias ? bias[(i / P) % g.OC] : 0.0f));
}

void conv2d_backward_data_ref(const ConvGeom& g, const float* diff_dst, const float* weights,
                              float* diff_src) {
  std::vector<double> acc(std::size_t(g.N * g.IC * g.IH * g.IW), 0.0);
  for_each_tap(g,
               [&](int64_t d, int64_t s, int64_t w) { acc[s] += double(diff_dst[d]) * weights[w]; });
  for (std::size_t i = 0; i < acc.size(); ++i) diff_src[i] = float(acc[i]);
}

void conv2d_backward_weights_ref(const ConvGeom& g, const float* src, const float* diff_dst,
                                 float* diff_weights, float* diff_bias) {
  const int64_t P = g.OH * g.OW;
  std::vector<double> acc(std::size_t(g.OC * (g.IC / g.G) * g.KH * g.KW), 0.0);
  for_each_tap(g, [&](int64_t d, int64_t s, int64_t w) { acc[w] += double(diff_dst[d]) * src[s]; });
  for (std::size_t i = 0; i < acc.size(); ++i) diff_weights[i] += float(acc[i]);
  if (!diff_bias) return;
  for (int64_t oc = 0; oc < g.OC; ++oc) {
    double s = 0.0;
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t p = 0; p < P; ++p) s += diff_dst[(n * g.OC + oc) * P + p];
    diff_bias[oc] += float(s);
  }
}

}  // namespace convnet::kernels
