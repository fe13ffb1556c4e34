#include "kernels/activation.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace convnet::kernels {

void activation_forward(Activation kind, float alpha, const float* x, float* y, int64_t n) {
  switch (kind) {
    case Activation::linear:
      if (x != y) std::copy_n(x, n, y);
      return;
    case Activation::relu:
      // std::max(x, 0) keeps a NaN (as PyTorch does), so that a diverging model is noticed.
      for (int64_t i = 0; i < n; ++i) y[i] = std::max(x[i], 0.0f);
      return;
    case Activation::relu6:
      for (int64_t i = 0; i < n; ++i) y[i] = std::min(std::max(x[i], 0.0f), 6.0f);
      return;
    case Activation::leaky_relu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : alpha * x[i];
      return;
    case Activation::elu:
      for (int64_t i = 0; i < n; ++i) y[i] = x[i] >= 0.0f ? x[i] : alpha * std::expm1(x[i]);
      return;
    case Activation::sigmoid:
      // Two branches so that exp never overflows.
      for (int64_t i = 0; i < n; ++i) {
        const float v = x[i];
        if (v >= 0.0f) {
          y[i] = 1.0f / (1.0f + std::exp(-v));
        } else {
          const float e = std::exp(v);
          y[i] = e / (1.0f + e);
        }
      }
      return;
    case Activation::tanh:
      for (int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      return;
    case Activation::softmax:
      break;
  }
  throw std::invalid_argument("activation_forward: softmax needs softmax_forward");
}

void activation_backward(Activation kind, float alpha, const float* y, const float* dy, float* dx,
                         int64_t n) {
  switch (kind) {
    case Activation::linear:
      if (dx != dy) std::copy_n(dy, n, dx);
      return;
    case Activation::relu:
      for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      return;
    case Activation::relu6:
      for (int64_t i = 0; i < n; ++i) dx[i] = (y[i] > 0.0f && y[i] < 6.0f) ? dy[i] : 0.0f;
      return;
    case Activation::leaky_relu:
      // y > 0 exactly when x > 0 for a positive alpha; at x = 0 the slope is 1 as in PyTorch.
      for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : alpha * dy[i];
      return;
    case Activation::elu:
      // For x < 0, d/dx alpha*(e^x - 1) = alpha*e^x = y + alpha.
      for (int64_t i = 0; i < n; ++i) dx[i] = y[i] > 0.0f ? dy[i] : dy[i] * (y[i] + alpha);
      return;
    case Activation::sigmoid:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * y[i] * (1.0f - y[i]);
      return;
    case Activation::tanh:
      for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * (1.0f - y[i] * y[i]);
      return;
    case Activation::softmax:
      break;
  }
  throw std::invalid_argument("activation_backward: softmax needs softmax_backward");
}

void softmax_forward(const float* x, float* y, int64_t outer, int64_t C, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const float* xs = x + o * C * inner + i;
      float* ys = y + o * C * inner + i;
      float m = xs[0];
      for (int64_t c = 1; c < C; ++c) m = std::max(m, xs[c * inner]);
      double sum = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        ys[c * inner] = std::exp(xs[c * inner] - m);
        sum += ys[c * inner];
      }
      const float inv = float(1.0 / sum);
      for (int64_t c = 0; c < C; ++c) ys[c * inner] *= inv;
    }
}

void softmax_backward(const float* y, const float* dy, float* dx, int64_t outer, int64_t C,
                      int64_t inner) {
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t base = o * C * inner + i;
      double dot = 0.0;
      for (int64_t c = 0; c < C; ++c) dot += double(dy[base + c * inner]) * y[base + c * inner];
      for (int64_t c = 0; c < C; ++c) {
        const int64_t k = base + c * inner;
        dx[k] = y[k] * (dy[k] - float(dot));
      }
    }
}

}  // namespace convnet::kernels
