// Depthwise 2-D convolution: every input channel convolved with its own depth_multiplier filters,
// the grouped convolution of kernels/conv2d.h with G = IC and OC = IC * depth_multiplier, computed
// directly (no im2col: each output is only KH * KW taps, too few for a GEMM to pay off).
//
//   dst[n, oc, oh, ow] = bias[oc] + sum_{kh, kw} weights[oc, 0, kh, kw]
//                                     * src[n, oc / M, oh*SH - PT + kh*DH, ow*SW - PL + kw*DW]
//
// with M = OC / IC and zeros outside the input. Shapes: src [N, IC, IH, IW], weights
// [OC, 1, KH, KW], bias [OC] (may be null), dst [N, OC, OH, OW]. The geometry's G is ignored.
// The references are conv2d_*_ref with G = IC.
//
// The threads share the (n, oc) planes (backward_weights: the channels), and each plane is summed
// in an order fixed by the geometry, so results are bit-identical for every thread count. 3x3
// windows with unit dilation along W and stride 1 or 2 along W (MobileNet's) take a fast path:
// border outputs apart, each output row is a branch-free loop vectorized along W (AVX2, or
// AVX-512 where the processor has it, chosen at run time); planes under 33 outputs wide are
// copied into a zero-padded scratch first, so that they have no border outputs at all.
// backward_data takes it too at stride 1 with one filter per channel (it is then a forward
// convolution with the flipped filter).
#pragma once

#include "kernels/conv2d.h"
#include "kernels/epilogue.h"

namespace convnet::kernels {

void depthwise_conv2d_forward(const ConvGeom& g, const float* src, const float* weights,
                              const float* bias, float* dst);
// The same with an epilogue (bias, folded batch norm, activation) applied in the output loop.
void depthwise_conv2d_forward(const ConvGeom& g, const float* src, const float* weights,
                              const Epilogue& ep, float* dst);
// Overwrites diff_src.
void depthwise_conv2d_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                                    float* diff_src);
// diff_weights += d loss / d weights; diff_bias += sum of diff_dst over N, OH, OW (may be null).
void depthwise_conv2d_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                                       float* diff_weights, float* diff_bias);

// True when forward takes the vectorized 3x3 path for g (exposed for the tests).
bool depthwise_fast_path(const ConvGeom& g);

}  // namespace convnet::kernels
