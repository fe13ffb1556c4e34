// 2-D convolution (cross-correlation, as in every deep-learning framework) on NCHW tensors.
//
//   dst[n, oc, oh, ow] = bias[oc] + sum_{ic in group(oc), kh, kw}
//        weights[oc, ic - g*ICg, kh, kw] * src[n, ic, oh*SH - PT + kh*DH, ow*SW - PL + kw*DW]
//
// with zeros outside the input. Shapes: src [N, IC, IH, IW], weights [OC, IC/G, KH, KW],
// bias [OC] (may be null), dst [N, OC, OH, OW]. Bottom/right padding is implied by OH/OW.
#pragma once

#include <cstdint>

namespace convnet::kernels {

struct ConvGeom {
  int64_t N = 1, IC = 1, IH = 1, IW = 1;
  int64_t OC = 1, KH = 1, KW = 1;
  int64_t SH = 1, SW = 1;  // stride
  int64_t PT = 0, PL = 0;  // top and left zero padding
  int64_t DH = 1, DW = 1;  // dilation
  int64_t OH = 1, OW = 1;
  int64_t G = 1;  // groups: IC and OC split into G independent convolutions
};

// im2col + GEMM over the whole batch (in chunks that bound the workspace); 1x1 kernels with
// stride 1 and no padding skip im2col: one GEMM per image directly on the input. Stride-1
// convolutions with few channels run the direct kernels of kernels/conv2d_direct.h instead.
void conv2d_forward(const ConvGeom& g, const float* src, const float* weights, const float* bias,
                    float* dst);
// diff_src = conv2d_forward's transpose applied to diff_dst (overwrites diff_src).
void conv2d_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                          float* diff_src);
// diff_weights += d loss / d weights; diff_bias += sum of diff_dst over N, OH, OW (may be null).
void conv2d_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                             float* diff_weights, float* diff_bias);

// Direct seven-loop versions with double accumulation: the references for the tests.
void conv2d_forward_ref(const ConvGeom& g, const float* src, const float* weights,
                        const float* bias, float* dst);
void conv2d_backward_data_ref(const ConvGeom& g, const float* diff_dst, const float* weights,
                              float* diff_src);
void conv2d_backward_weights_ref(const ConvGeom& g, const float* src, const float* diff_dst,
                                 float* diff_weights, float* diff_bias);

// Unfolds images [nb, IC, IH, IW] into col [IC*KH*KW, nb*OH*OW]; col2im adds col back into
// images (the adjoint). Exposed for the tests and for the transposed convolution.
void im2col(const ConvGeom& g, int64_t nb, const float* src, float* col);
void col2im(const ConvGeom& g, int64_t nb, const float* col, float* src);

}  // namespace convnet::kernels
