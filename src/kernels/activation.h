// Element-wise activations and softmax. The backward passes read the forward *output* y (never
// the input), so a layer needs to keep only y and the forward may run in place (x == y).
#pragma once

#include <cstdint>

#include "convnet/activation.h"

namespace convnet::kernels {

// y[i] = f(x[i]) for i < n. `kind` must not be softmax (see below).
void activation_forward(Activation kind, float alpha, const float* x, float* y, int64_t n);
// dx[i] = dy[i] * f'(x[i]), computed from y[i]. dx may alias dy.
void activation_backward(Activation kind, float alpha, const float* y, const float* dy, float* dx,
                         int64_t n);

// Softmax over the middle axis of [outer, C, inner] (axis 1 of NCHW), shifted by the maximum so
// that large logits do not overflow.
void softmax_forward(const float* x, float* y, int64_t outer, int64_t C, int64_t inner);
// dx = y * (dy - sum_c(dy * y)). dx may alias dy.
void softmax_backward(const float* y, const float* dy, float* dx, int64_t outer, int64_t C,
                      int64_t inner);

}  // namespace convnet::kernels
