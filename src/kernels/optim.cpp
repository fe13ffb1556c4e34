#include "kernels/optim.h"

#include <algorithm>
#include <cmath>

namespace convnet::kernels {

// SGD copies its factors first: read through the reference, they might alias the arrays written
// in the loop, and the compiler would neither hoist the branches nor vectorize. (Adam's loop,
// vectorized the same way, made a LeNet-5 epoch about 15% slower, so it stays as it is.)
void sgd_update(const SgdFactors& factors, bool first, const float* grad, float* param,
                float* momentum_buffer, int64_t n) {
  const SgdFactors f = factors;
  for (int64_t i = 0; i < n; ++i) {
    float d = grad[i];
    if (f.weight_decay != 0.0f) d = std::fma(f.weight_decay, param[i], d);
    if (f.momentum != 0.0f) {
      float& b = momentum_buffer[i];
      b = first ? d : std::fma(f.one_minus_dampening, d, b * f.momentum);
      d = f.nesterov ? std::fma(f.momentum, b, d) : b;
    }
    param[i] = std::fma(f.neg_lr, d, param[i]);
  }
}

void adam_update(const AdamFactors& f, const float* grad, float* param, float* exp_avg,
                 float* exp_avg_sq, float* max_exp_avg_sq, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float g = grad[i];
    if (f.weight_decay != 0.0f) g = std::fma(f.weight_decay, param[i], g);
    const float w = param[i] * f.decay;
    const float m = std::fma(f.one_minus_beta1, g, exp_avg[i] * f.beta1);
    float v = std::fma(f.one_minus_beta2 * g, g, exp_avg_sq[i] * f.beta2);
    exp_avg[i] = m;
    exp_avg_sq[i] = v;
    if (max_exp_avg_sq) v = max_exp_avg_sq[i] = std::max(max_exp_avg_sq[i], v);
    const float denom = std::sqrt(v) / f.bias_correction2_sqrt + f.eps;
    param[i] = w + f.neg_step_size * m / denom;
  }
}

void rmsprop_update(const RmspropFactors& f, const float* grad, float* param, float* square_avg,
                    float* grad_avg, float* momentum_buffer, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    float g = grad[i];
    if (f.weight_decay != 0.0f) g = std::fma(f.weight_decay, param[i], g);
    const float s = square_avg[i] = std::fma(f.one_minus_alpha * g, g, square_avg[i] * f.alpha);
    float avg;
    if (grad_avg) {
      const float a = grad_avg[i] = std::fma(f.one_minus_alpha, g, grad_avg[i] * f.alpha);
      avg = std::sqrt(std::fma(-a, a, s));
    } else {
      avg = std::sqrt(s);
    }
    avg += f.eps;
    if (momentum_buffer) {
      const float b = momentum_buffer[i] = momentum_buffer[i] * f.momentum + g / avg;
      param[i] = std::fma(f.neg_lr, b, param[i]);
    } else {
      param[i] = param[i] + f.neg_lr * g / avg;
    }
  }
}

double sum_of_squares(const float* x, int64_t n) {
  double s = 0.0;
  for (int64_t i = 0; i < n; ++i) s += double(x[i]) * double(x[i]);
  return s;
}

void scale(float* x, int64_t n, float factor) {
  for (int64_t i = 0; i < n; ++i) x[i] *= factor;
}

}  // namespace convnet::kernels
