// Direct convolution for stride-1 layers with few channels (LeNet's 1->6 and 6->16 5x5), where
// im2col's copies and a GEMM with M = OC <= 32 cost more than the arithmetic.
//
// Each image is copied once into a zero-padded buffer of row length Wp = OW + (KW-1)*DW. An
// output (oh, ow) then sits at flat index q = oh*Wp + ow, and tap (kh, kw) of channel ic reads the
// padded input at q + kh*DH*Wp + kw*DW: a 1-D correlation along q, vectorized over eight
// consecutive q, with the Wp - OW columns past each row's end computed and thrown away.
// Backward-data is its adjoint: diff_dst, laid out along q with zeros in the thrown-away columns,
// is scattered back through every tap into the padded layout, whose inner region is diff_src
// (the gather form, a correlation with the flipped kernel, would also multiply the zeros around
// diff_dst: twice the work for LeNet's 10x10 maps). Backward-weights takes dot products along q
// of that diff_dst with the shifted input.
//
// Same contracts and shapes as conv2d_forward / conv2d_backward_data / conv2d_backward_weights
// (kernels/conv2d.h), which dispatch here when conv2d_direct_applies(g).
#pragma once

#include "kernels/conv2d.h"

namespace convnet::kernels {

// Stride 1, one group, OC <= 32 and IC*KH*KW <= 512: shapes where the direct kernels beat
// im2col + GEMM.
bool conv2d_direct_applies(const ConvGeom& g);

// Images are independent: split among the threads, each output computed by one thread.
void conv2d_direct_forward(const ConvGeom& g, const float* src, const float* weights,
                           const float* bias, float* dst);
void conv2d_direct_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                                 float* diff_src);
// Sums over fixed chunks of images (whatever the thread count), then over the chunks in order:
// bit-identical with any number of threads.
void conv2d_direct_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                                    float* diff_weights, float* diff_bias);

}  // namespace convnet::kernels
