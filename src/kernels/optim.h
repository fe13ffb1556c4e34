// Optimizer updates of one parameter of n elements, in place, as torch.optim computes them on
// CPU tensors: float32 arithmetic in PyTorch's order. Scalar factors arrive already rounded to
// float, as PyTorch rounds its Python scalars; "x.add_(y, alpha=a)" is x + a*y fused into one
// rounding (ATen's vectorized add is an FMA).
#pragma once

#include <cstdint>

namespace convnet::kernels {

struct SgdFactors {
  float neg_lr = 0.0f;               // -lr
  float momentum = 0.0f;             // 0: no buffer
  float one_minus_dampening = 1.0f;  // 1 - dampening
  float weight_decay = 0.0f;
  bool nesterov = false;
};
// momentum_buffer may be null without momentum; first: the buffer starts as the gradient.
void sgd_update(const SgdFactors& f, bool first, const float* grad, float* param,
                float* momentum_buffer, int64_t n);

struct AdamFactors {
  float beta1 = 0.9f, one_minus_beta1 = 0.1f;
  float beta2 = 0.999f, one_minus_beta2 = 0.001f;
  float weight_decay = 0.0f;           // L2, added to the gradient (Adam)
  float decay = 1.0f;                  // 1 - lr * weight_decay, multiplies the param (AdamW)
  float neg_step_size = 0.0f;          // -lr / (1 - beta1^t)
  float bias_correction2_sqrt = 1.0f;  // sqrt(1 - beta2^t)
  float eps = 1e-8f;
};
// max_exp_avg_sq: null unless amsgrad.
void adam_update(const AdamFactors& f, const float* grad, float* param, float* exp_avg,
                 float* exp_avg_sq, float* max_exp_avg_sq, int64_t n);

struct RmspropFactors {
  float alpha = 0.99f, one_minus_alpha = 0.01f;
  float eps = 1e-8f;
  float neg_lr = 0.0f;
  float momentum = 0.0f;
  float weight_decay = 0.0f;
};
// grad_avg: null unless centered; momentum_buffer: null unless momentum > 0.
void rmsprop_update(const RmspropFactors& f, const float* grad, float* param, float* square_avg,
                    float* grad_avg, float* momentum_buffer, int64_t n);

// sum of squares of n values, in double.
double sum_of_squares(const float* x, int64_t n);
// x *= factor.
void scale(float* x, int64_t n, float factor);

}  // namespace convnet::kernels
