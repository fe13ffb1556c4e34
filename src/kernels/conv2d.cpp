#include "kernels/conv2d.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "kernels/conv2d_direct.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"
#include "kernels/winograd.h"

namespace convnet::kernels {
namespace {

// Upper bound on the im2col buffer: big enough for GEMMs that run at full speed, small enough
// that VGG at 224x224 does not need gigabytes.
constexpr int64_t kMaxColElements = int64_t(16) << 20;  // 64 MiB of floats

struct Workspace {
  std::vector<float> col, mat;
};
Workspace& workspace() {
  thread_local Workspace ws;
  return ws;
}
float* reserve(std::vector<float>& v, int64_t n) {
  if (int64_t(v.size()) < n) v.resize(size_t(n));
  return v.data();
}

// Forward and backward-data chunks aim at this many GEMM columns: wide enough for full-speed
// GEMMs, narrow enough that a batch splits into chunks the threads can share.
constexpr int64_t kTargetColumns = 2048;

int64_t col_rows(const ConvGeom& g) { return g.IC * g.KH * g.KW; }
int64_t images_per_chunk(const ConvGeom& g) {
  const int64_t per_image = col_rows(g) * g.OH * g.OW;
  return std::clamp<int64_t>(kMaxColElements / std::max<int64_t>(per_image, 1), 1, g.N);
}
// Chunks of the batch that forward and backward-data process independently, one per thread at a
// time. The size depends on the geometry only, never on the thread count.
int64_t images_per_parallel_chunk(const ConvGeom& g) {
  const int64_t by_width = (kTargetColumns + g.OH * g.OW - 1) / (g.OH * g.OW);
  return std::min(images_per_chunk(g), std::max<int64_t>(by_width, 1));
}
// Items of `work_per_item` elements each that a thread should get before a split pays.
int64_t grain_for(int64_t work_per_item) {
  constexpr int64_t kMinWorkPerThread = 16384;
  return std::max<int64_t>(1, kMinWorkPerThread / std::max<int64_t>(work_per_item, 1));
}

// dst [nb, OC, P] <-> mat [OC, nb*P], the layout GEMM produces and consumes.
void mat_to_nchw(const float* mat, int64_t nb, int64_t OC, int64_t P, const float* bias,
                 float* dst) {
  parallel_for(nb * OC, grain_for(P), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / OC, oc = i % OC;
      const float* m = mat + oc * nb * P + n * P;
      float* d = dst + (n * OC + oc) * P;
      const float b = bias ? bias[oc] : 0.0f;
      for (int64_t p = 0; p < P; ++p) d[p] = m[p] + b;
    }
  });
}
void nchw_to_mat(const float* src, int64_t nb, int64_t OC, int64_t P, float* mat) {
  parallel_for(nb * OC, grain_for(P), [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const int64_t n = i / OC, oc = i % OC;
      std::memcpy(mat + oc * nb * P + n * P, src + (n * OC + oc) * P, size_t(P) * sizeof(float));
    }
  });
}

// diff_bias[oc] += sum over n and p of diff_dst [N, OC, P], one channel per thread.
void bias_backward(const float* diff_dst, int64_t N, int64_t OC, int64_t P, float* diff_bias) {
  parallel_for(OC, grain_for(N * P), [&](int64_t oc0, int64_t oc1) {
    for (int64_t oc = oc0; oc < oc1; ++oc) {
      // Eight float lanes per plane (they vectorize), planes summed in double.
      double s = 0.0;
      for (int64_t n = 0; n < N; ++n) {
        const float* d = diff_dst + (n * OC + oc) * P;
        float lane[8] = {};
        int64_t p = 0;
        for (; p + 8 <= P; p += 8)
          for (int k = 0; k < 8; ++k) lane[k] += d[p + k];
        double plane = 0.0;
        for (; p < P; ++p) plane += d[p];
        for (int k = 0; k < 8; ++k) plane += lane[k];
        s += plane;
      }
      diff_bias[oc] += float(s);
    }
  });
}

// A 1x1 convolution with stride 1 and no padding reads each input pixel once: the input images
// [IC, P] already are the im2col matrix, so each image is one GEMM per group with no copy.
bool is_pointwise(const ConvGeom& g) {
  return g.KH == 1 && g.KW == 1 && g.SH == 1 && g.SW == 1 && g.PT == 0 && g.PL == 0 &&
         g.OH == g.IH && g.OW == g.IW;
}

void pointwise_forward(const ConvGeom& g, const float* src, const float* weights,
                       const float* bias, float* dst) {
  const int64_t P = g.IH * g.IW, ICg = g.IC / g.G, OCg = g.OC / g.G;
  parallel_for(g.N, grain_for(g.OC * P * ICg), [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      float* d = dst + n * g.OC * P;
      if (bias)
        for (int64_t oc = 0; oc < g.OC; ++oc) std::fill_n(d + oc * P, P, bias[oc]);
      // dst_n,g[OCg, P] (+)= weights_g[OCg, ICg] * src_n,g[ICg, P]
      for (int64_t grp = 0; grp < g.G; ++grp)
        gemm(false, false, OCg, P, ICg, 1.0f, weights + grp * OCg * ICg, ICg,
             src + (n * g.IC + grp * ICg) * P, P, bias ? 1.0f : 0.0f, d + grp * OCg * P, P);
    }
  });
}

void pointwise_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                             float* diff_src) {
  const int64_t P = g.IH * g.IW, ICg = g.IC / g.G, OCg = g.OC / g.G;
  // diff_src_n,g[ICg, P] = weights_g^T[ICg, OCg] * diff_dst_n,g[OCg, P]
  parallel_for(g.N, grain_for(g.OC * P * ICg), [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t grp = 0; grp < g.G; ++grp)
        gemm(true, false, ICg, P, OCg, 1.0f, weights + grp * OCg * ICg, ICg,
             diff_dst + (n * g.OC + grp * OCg) * P, P, 0.0f,
             diff_src + (n * g.IC + grp * ICg) * P, P);
  });
}

void pointwise_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                                float* diff_weights, float* diff_bias) {
  const int64_t P = g.IH * g.IW, ICg = g.IC / g.G, OCg = g.OC / g.G;
  // diff_weights_g[OCg, ICg] += diff_dst_n,g[OCg, P] * src_n,g^T[P, ICg]
  for (int64_t n = 0; n < g.N; ++n)
    for (int64_t grp = 0; grp < g.G; ++grp)
      gemm(false, true, OCg, ICg, P, 1.0f, diff_dst + (n * g.OC + grp * OCg) * P, P,
           src + (n * g.IC + grp * ICg) * P, P, 1.0f, diff_weights + grp * OCg * ICg, ICg);
  if (diff_bias) bias_backward(diff_dst, g.N, g.OC, P, diff_bias);
}

}  // namespace

namespace {

void im2col_channels(const ConvGeom& g, int64_t nb, const float* src, float* col, int64_t c0,
                     int64_t c1) {
  const int64_t P = g.OH * g.OW, cols = nb * P;
  for (int64_t c = c0; c < c1; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        float* row = col + ((c * g.KH + kh) * g.KW + kw) * cols;
        for (int64_t n = 0; n < nb; ++n) {
          const float* img = src + (n * g.IC + c) * g.IH * g.IW;
          for (int64_t oh = 0; oh < g.OH; ++oh) {
            float* out = row + n * P + oh * g.OW;
            const int64_t ih = oh * g.SH - g.PT + kh * g.DH;
            if (ih < 0 || ih >= g.IH) {
              std::fill_n(out, g.OW, 0.0f);
              continue;
            }
            const float* in = img + ih * g.IW;
            const int64_t iw0 = kw * g.DW - g.PL;
            if (g.SW == 1) {
              // Unit stride: zeros, one contiguous copy, zeros.
              const int64_t lo = std::clamp<int64_t>(-iw0, 0, g.OW);
              const int64_t hi = std::clamp<int64_t>(g.IW - iw0, lo, g.OW);
              std::fill(out, out + lo, 0.0f);
              // A loop, not memcpy: rows are short (28 floats in LeNet), call overhead dominates.
              const float* from = in + iw0;
              for (int64_t ow = lo; ow < hi; ++ow) out[ow] = from[ow];
              std::fill(out + hi, out + g.OW, 0.0f);
              continue;
            }
            for (int64_t ow = 0; ow < g.OW; ++ow) {
              const int64_t iw = iw0 + ow * g.SW;
              out[ow] = (iw >= 0 && iw < g.IW) ? in[iw] : 0.0f;
            }
          }
        }
      }
}

void col2im_channels(const ConvGeom& g, int64_t nb, const float* col, float* src, int64_t c0,
                     int64_t c1) {
  const int64_t P = g.OH * g.OW, cols = nb * P;
  for (int64_t c = c0; c < c1; ++c)
    for (int64_t kh = 0; kh < g.KH; ++kh)
      for (int64_t kw = 0; kw < g.KW; ++kw) {
        const float* row = col + ((c * g.KH + kh) * g.KW + kw) * cols;
        for (int64_t n = 0; n < nb; ++n) {
          float* img = src + (n * g.IC + c) * g.IH * g.IW;
          for (int64_t oh = 0; oh < g.OH; ++oh) {
            const int64_t ih = oh * g.SH - g.PT + kh * g.DH;
            if (ih < 0 || ih >= g.IH) continue;
            const float* in = row + n * P + oh * g.OW;
            float* out = img + ih * g.IW;
            const int64_t iw0 = kw * g.DW - g.PL;
            if (g.SW == 1) {
              // Unit stride: one contiguous run of additions, which vectorizes.
              const int64_t lo = std::clamp<int64_t>(-iw0, 0, g.OW);
              const int64_t hi = std::clamp<int64_t>(g.IW - iw0, lo, g.OW);
              float* o = out + iw0;
              for (int64_t ow = lo; ow < hi; ++ow) o[ow] += in[ow];
              continue;
            }
            for (int64_t ow = 0; ow < g.OW; ++ow) {
              const int64_t iw = iw0 + ow * g.SW;
              if (iw >= 0 && iw < g.IW) out[iw] += in[ow];
            }
          }
        }
      }
}

}  // namespace

void im2col(const ConvGeom& g, int64_t nb, const float* src, float* col) {
  parallel_for(g.IC, grain_for(g.KH * g.KW * nb * g.OH * g.OW), [&](int64_t c0, int64_t c1) {
    im2col_channels(g, nb, src, col, c0, c1);
  });
}

void col2im(const ConvGeom& g, int64_t nb, const float* col, float* src) {
  parallel_for(g.IC, grain_for(g.KH * g.KW * nb * g.OH * g.OW), [&](int64_t c0, int64_t c1) {
    col2im_channels(g, nb, col, src, c0, c1);
  });
}

namespace {

// Runs body(n0, nb) over chunks of the batch that are independent of each other: in parallel when
// there are several (each thread with its own workspace), else on this thread, whose kernels
// then split their own work.
template <typename Body>
void for_each_chunk(const ConvGeom& g, Body&& body) {
  const int64_t chunk = images_per_parallel_chunk(g), chunks = (g.N + chunk - 1) / chunk;
  parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const int64_t n0 = c * chunk;
      body(n0, std::min(chunk, g.N - n0));
    }
  });
}

// The direct kernels for few channels are the automatic choice only: CONVNET_CONV_ALGO=gemm or
// =winograd asks for that algorithm wherever it can run.
bool use_direct(const ConvGeom& g) {
  return conv_algo() == ConvAlgo::automatic && conv2d_direct_applies(g);
}

}  // namespace

void conv2d_forward(const ConvGeom& g, const float* src, const float* weights, const float* bias,
                    float* dst) {
  if (use_direct(g)) return conv2d_direct_forward(g, src, weights, bias, dst);
  if (is_pointwise(g)) return pointwise_forward(g, src, weights, bias, dst);
  if (winograd_applies(g)) return winograd_forward(g, src, weights, bias, dst);
  const int64_t P = g.OH * g.OW, K = col_rows(g), Kg = K / g.G, OCg = g.OC / g.G;
  for_each_chunk(g, [&](int64_t n0, int64_t nb) {
    Workspace& ws = workspace();
    const int64_t cols = nb * P;
    float* col = reserve(ws.col, K * cols);
    float* mat = reserve(ws.mat, g.OC * cols);
    im2col(g, nb, src + n0 * g.IC * g.IH * g.IW, col);
    // One GEMM per group: mat[OCg, cols] = weights_g[OCg, Kg] * col_g[Kg, cols].
    for (int64_t grp = 0; grp < g.G; ++grp)
      gemm(false, false, OCg, cols, Kg, 1.0f, weights + grp * OCg * Kg, Kg,
           col + grp * Kg * cols, cols, 0.0f, mat + grp * OCg * cols, cols);
    mat_to_nchw(mat, nb, g.OC, P, bias, dst + n0 * g.OC * P);
  });
}

void conv2d_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                          float* diff_src) {
  if (use_direct(g)) return conv2d_direct_backward_data(g, diff_dst, weights, diff_src);
  if (is_pointwise(g)) return pointwise_backward_data(g, diff_dst, weights, diff_src);
  if (winograd_applies(winograd_backward_data_geom(g)))
    return winograd_backward_data(g, diff_dst, weights, diff_src);
  const int64_t P = g.OH * g.OW, K = col_rows(g), Kg = K / g.G, OCg = g.OC / g.G;
  for_each_chunk(g, [&](int64_t n0, int64_t nb) {
    Workspace& ws = workspace();
    const int64_t cols = nb * P;
    float* col = reserve(ws.col, K * cols);
    float* mat = reserve(ws.mat, g.OC * cols);
    nchw_to_mat(diff_dst + n0 * g.OC * P, nb, g.OC, P, mat);
    // dcol_g[Kg, cols] = weights_g^T[Kg, OCg] * dmat_g[OCg, cols]
    for (int64_t grp = 0; grp < g.G; ++grp)
      gemm(true, false, Kg, cols, OCg, 1.0f, weights + grp * OCg * Kg, Kg,
           mat + grp * OCg * cols, cols, 0.0f, col + grp * Kg * cols, cols);
    float* images = diff_src + n0 * g.IC * g.IH * g.IW;
    std::fill_n(images, nb * g.IC * g.IH * g.IW, 0.0f);
    col2im(g, nb, col, images);
  });
}

void conv2d_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                             float* diff_weights, float* diff_bias) {
  if (use_direct(g))
    return conv2d_direct_backward_weights(g, src, diff_dst, diff_weights, diff_bias);
  if (is_pointwise(g)) return pointwise_backward_weights(g, src, diff_dst, diff_weights, diff_bias);
  const int64_t P = g.OH * g.OW, K = col_rows(g), Kg = K / g.G, OCg = g.OC / g.G;
  if (winograd_backward_weights_applies(g)) {
    winograd_backward_weights(g, src, diff_dst, diff_weights);
    if (diff_bias) bias_backward(diff_dst, g.N, g.OC, P, diff_bias);
    return;
  }
  const int64_t chunk = images_per_chunk(g);
  Workspace& ws = workspace();
  for (int64_t n0 = 0; n0 < g.N; n0 += chunk) {
    const int64_t nb = std::min(chunk, g.N - n0), cols = nb * P;
    float* col = reserve(ws.col, K * cols);
    float* mat = reserve(ws.mat, g.OC * cols);
    im2col(g, nb, src + n0 * g.IC * g.IH * g.IW, col);
    nchw_to_mat(diff_dst + n0 * g.OC * P, nb, g.OC, P, mat);
    // dweights_g[OCg, Kg] += dmat_g[OCg, cols] * col_g^T[cols, Kg]
    for (int64_t grp = 0; grp < g.G; ++grp)
      gemm(false, true, OCg, Kg, cols, 1.0f, mat + grp * OCg * cols, cols,
           col + grp * Kg * cols, cols, 1.0f, diff_weights + grp * OCg * Kg, Kg);
  }
  if (diff_bias) bias_backward(diff_dst, g.N, g.OC, P, diff_bias);
}

}  // namespace convnet::kernels
