// Winograd convolution F(4x4, 3x3) for 3x3, stride-1, dilation-1, ungrouped convolutions
// (Lavin & Gray 2015, "Fast Algorithms for Convolutional Neural Networks"), forward,
// backward-data and backward-weights, any padding (top/left given, bottom/right implied by OH/OW, as in conv2d.h).
//
// Why: a direct (im2col + GEMM) 3x3 convolution spends 9 multiply-adds per output and input
// channel. Winograd computes a 4x4 block of outputs from a 6x6 input patch d with 36 multiplies
// in a transformed space, 2.25 per output instead of 9, so the GEMM part of VGG-style layers does
// a quarter of the work. With the constant matrices B^T (6x6), G (6x3) and A^T (4x6) of
// winograd_transform.h (interpolation points 0, +-1, +-2 and infinity):
//
//   Y[k, tile] = A^T ( sum_c U[k, c] (.) V[c, tile] ) A,   U = G g[k, c] G^T,   V = B^T d[c] B
//
// where (.) multiplies elementwise. For each of the 36 points xi of the 6x6 transformed tile the
// sum over c is a matrix product M[xi][K][tiles] = U[xi][K][C] * V[xi][C][tiles]: 36 GEMMs, done
// by a 6x16 AVX2 register-blocked micro-kernel that reads U and V in the packed layouts the
// transforms write (6 output channels x 16 tiles), so no separate packing pass is needed.
//
// Schedule: one of U (filters, 36*K*C floats) and V (input tiles, 36*C*tiles) is transformed
// once up front and shared by the threads; the other is transformed piece by piece (16 tiles or
// 6 filters at a time) inside each thread's work item, while it is hot in L2. U is shared when it
// is small (at most 4 MiB: the early layers with few channels and many tiles), else V, in chunks
// of at most 16 MiB (a 512 x 512 layer's U would be 50 MB). Filters are transformed on every call (no cache that weight updates could make
// stale); it costs about 1/(OH*OW/16) of the GEMM work.
//
// Determinism: every output element is computed by one work item in a fixed order, so 1 and N
// threads give bit-identical results. Accuracy: the transforms' coefficients (up to 8 in A, 5 in
// B) make float rounding about 10x that of a direct convolution; tests hold it to 1e-4 of the
// largest output.
#pragma once

#include "kernels/conv2d.h"

namespace convnet::kernels {

// Which algorithm conv2d_forward and conv2d_backward_data use for 3x3 stride-1 convolutions:
// automatic (Winograd where it measured faster), always GEMM, or Winograd wherever it applies.
// The default comes from the environment variable CONVNET_CONV_ALGO=auto|gemm|winograd.
enum class ConvAlgo { automatic, gemm, winograd };
void set_conv_algo(ConvAlgo algo);
ConvAlgo conv_algo();

// True for 3x3, stride 1, dilation 1, 1 group (any padding).
bool winograd_supports(const ConvGeom& g);
// winograd_supports and, under ConvAlgo::automatic, large enough to beat im2col + GEMM.
bool winograd_applies(const ConvGeom& g);
// The transposed convolution that computes conv2d_backward_data(g): diff_dst convolved with the
// flipped, transposed weights, padding 2 - P.
ConvGeom winograd_backward_data_geom(const ConvGeom& g);

// Under ConvAlgo::automatic, whether winograd_backward_weights beats im2col + GEMM for g.
bool winograd_backward_weights_applies(const ConvGeom& g);

// Same contracts as conv2d_forward and conv2d_backward_data (conv2d.h), for winograd_supports(g).
void winograd_forward(const ConvGeom& g, const float* src, const float* weights, const float* bias,
                      float* dst);
void winograd_backward_data(const ConvGeom& g, const float* diff_dst, const float* weights,
                            float* diff_src);
// diff_weights += d loss / d weights (conv2d_backward_weights without the bias), through the
// adjoint of the forward transforms (winograd_weights.cpp).
void winograd_backward_weights(const ConvGeom& g, const float* src, const float* diff_dst,
                               float* diff_weights);

}  // namespace convnet::kernels
