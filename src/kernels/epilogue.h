// The epilogue a convolution applies to its sums before they leave the output loop: a per-channel
// affine map and an activation. It carries a bias (scale = null), and in inference a batch norm
// folded into the convolution (scale = gamma / sqrt(var + eps), shift = beta + (bias - mean) *
// scale) followed by its ReLU/ReLU6:
//
//   dst[n, c, p] = act(scale[c] * sum[n, c, p] + shift[c])
//
// scale null means 1, shift null means 0. act is any activation except softmax (which mixes
// channels); linear, relu and relu6 cost nothing beyond the store.
#pragma once

#include <cstdint>

#include "convnet/activation.h"

namespace convnet::kernels {

struct Epilogue {
  const float* scale = nullptr;  // [C] or null
  const float* shift = nullptr;  // [C] or null
  Activation act = Activation::linear;
  float alpha = 0.0f;  // slope of leaky_relu, scale of elu

  // True when it leaves every value as it is.
  bool identity() const { return !scale && !shift && act == Activation::linear; }
};

// Applies ep to channel c's values plane[0, P) in place.
void epilogue_plane(const Epilogue& ep, int64_t c, float* plane, int64_t P);
// Applies ep to all of dst [N, C, P] in place, the planes shared among the threads.
void epilogue_forward(const Epilogue& ep, int64_t N, int64_t C, int64_t P, float* dst);

}  // namespace convnet::kernels
