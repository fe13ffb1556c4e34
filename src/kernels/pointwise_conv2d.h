// Pointwise (1x1, stride 1, unpadded, ungrouped) convolution with an epilogue, for inference:
// MobileNet's pointwise layers and ResNet's bottleneck ends, each followed by a folded batch norm
// and usually a ReLU.
//
//   dst_n[OC, P] = epilogue(weights[OC, IC] * src_n[IC, P])     (P = H * W, for each image n)
//
// The work is cut into blocks by shape only (along P for wide maps, along OC for deep ones), each
// one GEMM on one thread followed by the epilogue on its block while it is still in cache; so each
// output is computed the same way whatever the thread count. Fewer, larger blocks than the
// general GEMM's stripes: each block repacks the operand it shares with the others.
#pragma once

#include "kernels/conv2d.h"
#include "kernels/epilogue.h"

namespace convnet::kernels {

// True for the geometries pointwise_conv2d_forward takes.
bool is_pointwise_ungrouped(const ConvGeom& g);
void pointwise_conv2d_forward(const ConvGeom& g, const float* src, const float* weights,
                              const Epilogue& ep, float* dst);

}  // namespace convnet::kernels
