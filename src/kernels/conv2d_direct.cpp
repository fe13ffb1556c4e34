#include "kernels/conv2d_direct.h"

#include <immintrin.h>

#include <algorithm>
#include <vector>

#include "kernels/parallel.h"

namespace convnet::kernels {
namespace {

// Eight floats per AVX2 register (the build's baseline ISA); a register block holds kVectors of
// them along q for each of up to kChannels output channels (12 accumulators of the 16 registers).
constexpr int kChannels = 4, kVectors = 3;
constexpr int64_t kLanes = 8, kBlock = kLanes * kVectors;
// Backward-weights sums images in chunks of this many: the unit of its fixed summation order.
constexpr int64_t kChunk = 8;
// Multiply-adds a thread should get before splitting the images pays for waking it.
constexpr int64_t kMinMacsPerThread = int64_t(1) << 19;

// The flattened layout of one image's channels (see the header).
struct Flat {
  int64_t Wp;     // padded row length, OW + (KW-1)*DW
  int64_t Q;      // flat outputs computed per channel: (OH-1)*Wp + OW rounded up to kBlock
  int64_t plane;  // floats per padded input channel: what the last computed q reads, and more
  int64_t rows;   // padded rows the valid outputs read, OH + (KH-1)*DH
};

Flat flat_of(const ConvGeom& g) {
  Flat f;
  f.Wp = g.OW + (g.KW - 1) * g.DW;
  f.Q = ((g.OH - 1) * f.Wp + g.OW + kBlock - 1) / kBlock * kBlock;
  f.plane = (f.Q + (g.KH - 1) * g.DH * f.Wp + (g.KW - 1) * g.DW + kLanes - 1) / kLanes * kLanes;
  f.rows = g.OH + (g.KH - 1) * g.DH;  // rows * Wp <= plane, since Q >= (OH-1)*Wp + OW
  return f;
}

struct Workspace {
  std::vector<float> in, out, weights, lanes;
  std::vector<double> partial;
};
Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}
template <typename T>
T* reserve(std::vector<T>& v, int64_t n) {
  if (int64_t(v.size()) < n) v.resize(size_t(n));
  return v.data();
}

int64_t taps(const ConvGeom& g) { return g.IC * g.KH * g.KW; }

// in[c][r*Wp + col] = src[c][r - PT][col - PL] inside the image, 0 elsewhere (PT, PL may be
// negative: backward-data's geometry crops instead of padding when the padding exceeds the kernel).
void pad_image(const ConvGeom& g, const Flat& f, const float* src, float* in) {
  const int64_t c0 = std::max<int64_t>(g.PL, 0), c1 = std::min(f.Wp, g.IW + g.PL);
  const int64_t r0 = std::max<int64_t>(g.PT, 0), r1 = std::min(f.rows, g.IH + g.PT);
  for (int64_t c = 0; c < g.IC; ++c) {
    float* p = in + c * f.plane;
    std::fill_n(p, f.plane, 0.0f);
    if (c0 >= c1) continue;
    for (int64_t r = r0; r < r1; ++r) {
      // A loop, not memcpy: rows are short (14 floats in LeNet), call overhead dominates.
      const float* from = src + (c * g.IH + r - g.PT) * g.IW + c0 - g.PL;
      float* to = p + r * f.Wp + c0;
      for (int64_t i = 0; i < c1 - c0; ++i) to[i] = from[i];
    }
  }
}

// out[o][0, kBlock) = sum over ic, kh, kw of w[o][ic][kh][kw] * in[ic][kh*DH*Wp + kw*DW + (0, kBlock)]
// for OCB channels, in and out already offset to the block's first q; w rows are taps(g) apart.
template <int OCB>
void forward_block(const ConvGeom& g, const Flat& f, const float* in, const float* w, float* out) {
  const int64_t K = taps(g);
  __m256 acc[OCB][kVectors];
#pragma GCC unroll 4
  for (int o = 0; o < OCB; ++o)
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) acc[o][v] = _mm256_setzero_ps();
  for (int64_t ic = 0; ic < g.IC; ++ic)
    for (int64_t kh = 0; kh < g.KH; ++kh) {
      const float* row = in + ic * f.plane + kh * g.DH * f.Wp;
      const float* wt = w + (ic * g.KH + kh) * g.KW;
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const float* x = row + kw * g.DW;
        __m256 xv[kVectors];
#pragma GCC unroll 3
        for (int v = 0; v < kVectors; ++v) xv[v] = _mm256_loadu_ps(x + v * kLanes);
#pragma GCC unroll 4
        for (int o = 0; o < OCB; ++o) {
          const __m256 wv = _mm256_broadcast_ss(wt + o * K + kw);
#pragma GCC unroll 3
          for (int v = 0; v < kVectors; ++v) acc[o][v] = _mm256_fmadd_ps(wv, xv[v], acc[o][v]);
        }
      }
    }
#pragma GCC unroll 4
  for (int o = 0; o < OCB; ++o)
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) _mm256_storeu_ps(out + o * f.Q + v * kLanes, acc[o][v]);
}

// dst [OC, OH, OW] = w * one padded image (+ bias): register blocks over channels and q into
// out [OC, Q], then each row's valid columns copied out.
void forward_image(const ConvGeom& g, const Flat& f, const float* in, const float* w,
                   const float* bias, float* out, float* dst) {
  const int64_t K = taps(g);
  for (int64_t oc = 0; oc < g.OC; oc += kChannels) {
    const float* wo = w + oc * K;
    float* o = out + oc * f.Q;
    for (int64_t q = 0; q < f.Q; q += kBlock) switch (std::min<int64_t>(kChannels, g.OC - oc)) {
        case 4: forward_block<4>(g, f, in + q, wo, o + q); break;
        case 3: forward_block<3>(g, f, in + q, wo, o + q); break;
        case 2: forward_block<2>(g, f, in + q, wo, o + q); break;
        default: forward_block<1>(g, f, in + q, wo, o + q); break;
      }
  }
  for (int64_t oc = 0; oc < g.OC; ++oc) {
    const float b = bias ? bias[oc] : 0.0f;
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      const float* s = out + oc * f.Q + oh * f.Wp;
      float* d = dst + (oc * g.OH + oh) * g.OW;
      for (int64_t ow = 0; ow < g.OW; ++ow) d[ow] = s[ow] + b;
    }
  }
}

// conv2d_direct_forward on weights already laid out [OC, IC, KH, KW] for g.
void forward_images(const ConvGeom& g, const float* src, const float* w, const float* bias,
                    float* dst) {
  const Flat f = flat_of(g);
  const int64_t macs = g.OC * taps(g) * f.Q;
  parallel_for(g.N, std::max<int64_t>(1, kMinMacsPerThread / macs), [&](int64_t n0, int64_t n1) {
    Workspace& ws = workspace();
    float* in = reserve(ws.in, g.IC * f.plane);
    float* out = reserve(ws.out, g.OC * f.Q);
    for (int64_t n = n0; n < n1; ++n) {
      pad_image(g, f, src + n * g.IC * g.IH * g.IW, in);
      forward_image(g, f, in, w, bias, out, dst + n * g.OC * g.OH * g.OW);
    }
  });
}

// The adjoint of forward_block: acc[j] = sum over oc of w[oc][k0 + j] * dd[oc][0, kBlock) for TB
// consecutive taps k0 + j of the flattened weights [OC, K], added into the padded input gradient
// at each tap's offset off[j] (dd, w and dpad already offset to the block's q and k0).
template <int TB>
void backward_data_block(const ConvGeom& g, const Flat& f, const float* dd, const float* w,
                         const int64_t (&off)[kChannels], float* dpad) {
  const int64_t K = taps(g);
  __m256 acc[TB][kVectors];
#pragma GCC unroll 4
  for (int j = 0; j < TB; ++j)
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) acc[j][v] = _mm256_setzero_ps();
  for (int64_t oc = 0; oc < g.OC; ++oc) {
    __m256 xv[kVectors];
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) xv[v] = _mm256_loadu_ps(dd + oc * f.Q + v * kLanes);
#pragma GCC unroll 4
    for (int j = 0; j < TB; ++j) {
      const __m256 wv = _mm256_broadcast_ss(w + oc * K + j);
#pragma GCC unroll 3
      for (int v = 0; v < kVectors; ++v) acc[j][v] = _mm256_fmadd_ps(wv, xv[v], acc[j][v]);
    }
  }
#pragma GCC unroll 4
  for (int j = 0; j < TB; ++j)
#pragma GCC unroll 3
    for (int v = 0; v < kVectors; ++v) {
      float* p = dpad + off[j] + v * kLanes;
      _mm256_storeu_ps(p, _mm256_add_ps(_mm256_loadu_ps(p), acc[j][v]));
    }
}

// diff_src [IC, IH, IW] of one image from its flattened dd [OC, Q]: every computed q scatters into
// the padded layout of the forward's input (dd is zero in the thrown-away columns, so those
// add nothing), whose inner region is then diff_src. Input pixels that no output reads (cropped by
// a negative bottom/right padding) get zero.
void backward_data_image(const ConvGeom& g, const Flat& f, const float* dd, const float* w,
                         float* dpad, float* diff_src) {
  const int64_t K = taps(g);
  std::fill_n(dpad, g.IC * f.plane, 0.0f);
  for (int64_t k0 = 0; k0 < K; k0 += kChannels) {
    int64_t off[kChannels];
    for (int j = 0; j < kChannels; ++j) {
      const int64_t k = std::min(k0 + j, K - 1);
      const int64_t ic = k / (g.KH * g.KW), kh = k / g.KW % g.KH, kw = k % g.KW;
      off[j] = ic * f.plane + kh * g.DH * f.Wp + kw * g.DW;
    }
    for (int64_t q = 0; q < f.Q; q += kBlock) switch (std::min<int64_t>(kChannels, K - k0)) {
        case 4: backward_data_block<4>(g, f, dd + q, w + k0, off, dpad + q); break;
        case 3: backward_data_block<3>(g, f, dd + q, w + k0, off, dpad + q); break;
        case 2: backward_data_block<2>(g, f, dd + q, w + k0, off, dpad + q); break;
        default: backward_data_block<1>(g, f, dd + q, w + k0, off, dpad + q); break;
      }
  }
  for (int64_t ic = 0; ic < g.IC; ++ic)
    for (int64_t ih = 0; ih < g.IH; ++ih) {
      float* d = diff_src + (ic * g.IH + ih) * g.IW;
      const int64_t r = ih + g.PT;
      if (r >= f.rows) {
        std::fill_n(d, g.IW, 0.0f);
        continue;
      }
      const float* s = dpad + ic * f.plane + r * f.Wp + g.PL;
      const int64_t inside = std::clamp<int64_t>(f.Wp - g.PL, 0, g.IW);
      for (int64_t iw = 0; iw < inside; ++iw) d[iw] = s[iw];
      std::fill(d + inside, d + g.IW, 0.0f);
    }
}

// lanes[o][t][0, 8) += sum over the block's q of dd[o][q] * in[tap t][q], for OCB channels of dd
// ([., Q], rows Q apart) and kVectors taps given by their offsets into the padded image.
template <int OCB>
void weights_block(const Flat& f, const float* dd, const float* in, const int64_t (&tap)[kVectors],
                   float* lanes, int64_t K) {
  __m256 acc[OCB][kVectors];
#pragma GCC unroll 4
  for (int o = 0; o < OCB; ++o)
#pragma GCC unroll 3
    for (int t = 0; t < kVectors; ++t) acc[o][t] = _mm256_setzero_ps();
  const float* x[kVectors] = {in + tap[0], in + tap[1], in + tap[2]};
  for (int64_t q = 0; q < f.Q; q += kLanes) {
    __m256 xv[kVectors];
#pragma GCC unroll 3
    for (int t = 0; t < kVectors; ++t) xv[t] = _mm256_loadu_ps(x[t] + q);
#pragma GCC unroll 4
    for (int o = 0; o < OCB; ++o) {
      const __m256 d = _mm256_loadu_ps(dd + o * f.Q + q);
#pragma GCC unroll 3
      for (int t = 0; t < kVectors; ++t) acc[o][t] = _mm256_fmadd_ps(d, xv[t], acc[o][t]);
    }
  }
#pragma GCC unroll 4
  for (int o = 0; o < OCB; ++o)
#pragma GCC unroll 3
    for (int t = 0; t < kVectors; ++t) {
      float* l = lanes + (o * K + t) * kLanes;
      _mm256_storeu_ps(l, _mm256_add_ps(_mm256_loadu_ps(l), acc[o][t]));
    }
}

// One image's contribution to lanes [OC, K + kVectors, 8] (the extra taps absorb the last
// block's overhang) and bias_lanes [OC, 8].
void weights_image(const ConvGeom& g, const Flat& f, const float* in, const float* dd,
                   float* lanes, float* bias_lanes) {
  const int64_t K = taps(g), KL = K + kVectors;
  for (int64_t t0 = 0; t0 < K; t0 += kVectors) {
    int64_t tap[kVectors];
    for (int t = 0; t < kVectors; ++t) {
      const int64_t k = std::min(t0 + t, K - 1);  // past the end: any tap, its sums unused
      const int64_t ic = k / (g.KH * g.KW), kh = k / g.KW % g.KH, kw = k % g.KW;
      tap[t] = ic * f.plane + kh * g.DH * f.Wp + kw * g.DW;
    }
    for (int64_t oc = 0; oc < g.OC; oc += kChannels) {
      float* l = lanes + (oc * KL + t0) * kLanes;
      const float* d = dd + oc * f.Q;
      switch (std::min<int64_t>(kChannels, g.OC - oc)) {
        case 4: weights_block<4>(f, d, in, tap, l, KL); break;
        case 3: weights_block<3>(f, d, in, tap, l, KL); break;
        case 2: weights_block<2>(f, d, in, tap, l, KL); break;
        default: weights_block<1>(f, d, in, tap, l, KL); break;
      }
    }
  }
  for (int64_t oc = 0; oc < g.OC; ++oc) {
    __m256 s = _mm256_loadu_ps(bias_lanes + oc * kLanes);
    for (int64_t q = 0; q < f.Q; q += kLanes) s = _mm256_add_ps(s, _mm256_loadu_ps(dd + oc * f.Q + q));
    _mm256_storeu_ps(bias_lanes + oc * kLanes, s);
  }
}

// dd[oc][oh*Wp + ow] = diff_dst[oc][oh][ow] for ow < OW, 0 in the other columns and past the end.
void flatten_diff(const ConvGeom& g, const Flat& f, const float* diff_dst, float* dd) {
  for (int64_t oc = 0; oc < g.OC; ++oc) {
    float* d = dd + oc * f.Q;
    std::fill_n(d, f.Q, 0.0f);
    for (int64_t oh = 0; oh < g.OH; ++oh) {
      const float* from = diff_dst + (oc * g.OH + oh) * g.OW;
      float* to = d + oh * f.Wp;
      for (int64_t ow = 0; ow < g.OW; ++ow) to[ow] = from[ow];
    }
  }
}

double lane_sum(const float* l) {
  double s = 0.0;
  for (int64_t i = 0; i < kLanes; ++i) s += l[i];
  return s;
}

}  // namespace

bool conv2d_direct_applies(const ConvGeom& g) {
  return g.SH == 1 && g.SW == 1 && g.G == 1 && g.KH * g.KW > 1 && g.OC <= 32 && taps(g) <= 512;
}

void conv2d_direct_forward(const ConvGeom& g, const float* src, const float* weights,
                           const float* bias, float* dst) {
  forward_images(g, src, weights, bias, dst);
}

void conv2d_direct_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                                 float* diff_src) {
  const Flat f = flat_of(g);
  const int64_t macs = g.OC * taps(g) * f.Q;
  parallel_for(g.N, std::max<int64_t>(1, kMinMacsPerThread / macs), [&](int64_t n0, int64_t n1) {
    Workspace& ws = workspace();
    float* dpad = reserve(ws.in, g.IC * f.plane);
    float* dd = reserve(ws.out, g.OC * f.Q);
    for (int64_t n = n0; n < n1; ++n) {
      flatten_diff(g, f, diff_dst + n * g.OC * g.OH * g.OW, dd);
      backward_data_image(g, f, dd, weights, dpad, diff_src + n * g.IC * g.IH * g.IW);
    }
  });
}

void conv2d_direct_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                                    float* diff_weights, float* diff_bias) {
  const Flat f = flat_of(g);
  const int64_t K = taps(g), KL = K + kVectors, chunks = (g.N + kChunk - 1) / kChunk;
  const int64_t sums = g.OC * K + g.OC;  // per chunk: weights, then bias
  double* partial = reserve(workspace().partial, chunks * sums);
  parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    Workspace& ws = workspace();
    float* in = reserve(ws.in, g.IC * f.plane);
    float* dd = reserve(ws.out, g.OC * f.Q);
    float* lanes = reserve(ws.lanes, (g.OC * KL + g.OC) * kLanes);
    float* bias_lanes = lanes + g.OC * KL * kLanes;
    for (int64_t c = c0; c < c1; ++c) {
      std::fill_n(lanes, (g.OC * KL + g.OC) * kLanes, 0.0f);
      for (int64_t n = c * kChunk; n < std::min(g.N, (c + 1) * kChunk); ++n) {
        pad_image(g, f, src + n * g.IC * g.IH * g.IW, in);
        flatten_diff(g, f, diff_dst + n * g.OC * g.OH * g.OW, dd);
        weights_image(g, f, in, dd, lanes, bias_lanes);
      }
      double* p = partial + c * sums;
      for (int64_t oc = 0; oc < g.OC; ++oc) {
        for (int64_t k = 0; k < K; ++k) p[oc * K + k] = lane_sum(lanes + (oc * KL + k) * kLanes);
        p[g.OC * K + oc] = lane_sum(bias_lanes + oc * kLanes);
      }
    }
  });
  for (int64_t i = 0; i < g.OC * K; ++i) {
    double s = 0.0;
    for (int64_t c = 0; c < chunks; ++c) s += partial[c * sums + i];
    diff_weights[i] += float(s);
  }
  if (!diff_bias) return;
  for (int64_t oc = 0; oc < g.OC; ++oc) {
    double s = 0.0;
    for (int64_t c = 0; c < chunks; ++c) s += partial[c * sums + g.OC * K + oc];
    diff_bias[oc] += float(s);
  }
}

}  // namespace convnet::kernels
