#include "kernels/depthwise_conv2d.h"

#include "kernels/parallel.h"

#include <algorithm>
#include <vector>

namespace convnet::kernels {
namespace {

// For every image n, output channel oc, output row oh and kernel tap (kh, kw) whose row lies
// inside the input, calls f(src_row, dst_row, w_index, ow_begin, ow_end, iw_begin): the outputs
// ow in [ow_begin, ow_end) read src_row[iw_begin + (ow - ow_begin) * SW], all inside the input.
// The three kernels differ only in what they do with such a row segment. Input channels are
// shared among the threads: a channel's outputs, inputs and filters belong to one thread, and the
// order of every sum is fixed whatever the thread count.
template <typename F>
void for_each_row_tap(const ConvGeom& g, F&& f) {
  const int64_t M = g.OC / g.IC;
  const int64_t taps_per_channel = g.N * M * g.OH * g.OW * g.KH * g.KW;
  const int64_t grain = std::max<int64_t>(1, 32768 / std::max<int64_t>(taps_per_channel, 1));
  parallel_for(g.IC, grain, [&](int64_t ic0, int64_t ic1) {
    for (int64_t ic = ic0; ic < ic1; ++ic)
      for (int64_t n = 0; n < g.N; ++n)
        for (int64_t oc = ic * M; oc < (ic + 1) * M; ++oc) {
          const int64_t src_plane = (n * g.IC + ic) * g.IH * g.IW;
          const int64_t dst_plane = (n * g.OC + oc) * g.OH * g.OW;
          for (int64_t oh = 0; oh < g.OH; ++oh)
            for (int64_t kh = 0; kh < g.KH; ++kh) {
              const int64_t ih = oh * g.SH - g.PT + kh * g.DH;
              if (ih < 0 || ih >= g.IH) continue;
              for (int64_t kw = 0; kw < g.KW; ++kw) {
                // iw = ow*SW + off must lie in [0, IW): ow >= ceil(-off / SW),
                // ow <= (IW-1-off) / SW.
                const int64_t off = kw * g.DW - g.PL;
                const int64_t ow0 = off >= 0 ? 0 : (-off + g.SW - 1) / g.SW;
                const int64_t ow1 =
                    off > g.IW - 1 ? 0 : std::min(g.OW, (g.IW - 1 - off) / g.SW + 1);
                if (ow0 >= ow1) continue;
                f(src_plane + ih * g.IW, dst_plane + oh * g.OW, (oc * g.KH + kh) * g.KW + kw, ow0,
                  ow1, ow0 * g.SW + off);
              }
            }
        }
  });
}

}  // namespace

void depthwise_conv2d_forward(const ConvGeom& g, const float* src, const float* weights,
                              const float* bias, float* dst) {
  const int64_t P = g.OH * g.OW;
  for (int64_t i = 0; i < g.N * g.OC; ++i)
    std::fill_n(dst + i * P, P, bias ? bias[i % g.OC] : 0.0f);
  const int64_t SW = g.SW;
  for_each_row_tap(g, [&](int64_t s, int64_t d, int64_t wi, int64_t ow0, int64_t ow1, int64_t iw0) {
    const float w = weights[wi];
    const float* x = src + s + iw0;
    float* y = dst + d;
    if (SW == 1)  // the common case, written so that it vectorizes
      for (int64_t ow = ow0; ow < ow1; ++ow) y[ow] += w * x[ow - ow0];
    else
      for (int64_t ow = ow0; ow < ow1; ++ow) y[ow] += w * x[(ow - ow0) * SW];
  });
}

void depthwise_conv2d_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                                    float* diff_src) {
  std::fill_n(diff_src, g.N * g.IC * g.IH * g.IW, 0.0f);
  const int64_t SW = g.SW;
  for_each_row_tap(g, [&](int64_t s, int64_t d, int64_t wi, int64_t ow0, int64_t ow1, int64_t iw0) {
    const float w = weights[wi];
    float* dx = diff_src + s + iw0;
    const float* dy = diff_dst + d;
    if (SW == 1)
      for (int64_t ow = ow0; ow < ow1; ++ow) dx[ow - ow0] += w * dy[ow];
    else
      for (int64_t ow = ow0; ow < ow1; ++ow) dx[(ow - ow0) * SW] += w * dy[ow];
  });
}

void depthwise_conv2d_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                                       float* diff_weights, float* diff_bias) {
  // Row sums in float, the total over rows and images in double.
  std::vector<double> acc(size_t(g.OC * g.KH * g.KW), 0.0);
  const int64_t SW = g.SW;
  for_each_row_tap(g, [&](int64_t s, int64_t d, int64_t wi, int64_t ow0, int64_t ow1, int64_t iw0) {
    const float* x = src + s + iw0;
    const float* dy = diff_dst + d;
    float sum = 0.0f;
    for (int64_t ow = ow0; ow < ow1; ++ow) sum += dy[ow] * x[(ow - ow0) * SW];
    acc[size_t(wi)] += sum;
  });
  for (size_t i = 0; i < acc.size(); ++i) diff_weights[i] += float(acc[i]);
  if (!diff_bias) return;
  const int64_t P = g.OH * g.OW;
  for (int64_t oc = 0; oc < g.OC; ++oc) {
    double s = 0.0;
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t p = 0; p < P; ++p) s += diff_dst[(n * g.OC + oc) * P + p];
    diff_bias[oc] += float(s);
  }
}

}  // namespace convnet::kernels
