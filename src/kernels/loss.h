// Loss kernels: each returns the loss *summed* over its elements (the caller divides by the count
// for the mean) and writes the gradient times `scale` (1 / count for the mean) when the gradient
// pointer is not null. Sums are accumulated in double so that a large batch loses no precision.
//
// The class losses work on [outer, C, inner] tensors (N, C, H*W of NCHW; inner = 1 for [N, C]):
// one distribution over C at each of the outer * inner positions, C values `inner` apart.
#pragma once

#include <cstdint>

namespace convnet::kernels {

// The target distribution at each position: class indices labels[outer * inner] (when labels is
// not null) or probabilities probs[outer, C, inner], smoothed as PyTorch's label_smoothing:
// t' = (1 - smoothing) * t + smoothing / C.
struct ClassTargets {
  const int64_t* labels = nullptr;
  const float* probs = nullptr;
  float smoothing = 0.0f;
};

// -sum_c t'_c log softmax(logits)_c, with log-softmax = x - max - log(sum exp(x - max)), finite
// for any finite logits. dlogits = scale * (softmax * sum_c t'_c - t').
double softmax_cross_entropy(const float* logits, ClassTargets t, int64_t outer, int64_t C,
                             int64_t inner, double scale, float* dlogits);

// The same loss from probabilities p = softmax(logits) (log p floored at the smallest normal
// float, so it stays finite when p underflows), with the gradient for the *logits*:
// dlogits = scale * (p * sum_c t'_c - t').
double cross_entropy_from_probs(const float* probs, ClassTargets t, int64_t outer, int64_t C,
                                int64_t inner, double scale, float* dlogits);

// Keras' categorical cross-entropy of probabilities p: q = clip(p / sum_c p, eps, 1 - eps),
// loss = -sum_c t'_c log q_c. dprobs = scale * d(loss)/dp, through the normalization and the clip.
double categorical_cross_entropy(const float* probs, ClassTargets t, int64_t outer, int64_t C,
                                 int64_t inner, float eps, double scale, float* dprobs);

// Element-wise binary cross-entropy against targets t' = (1 - smoothing) * t + smoothing / 2
// (Keras' label_smoothing), n elements.
//   with logits x:   max(x, 0) - x t' + log(1 + exp(-|x|)),      dx = scale * (sigmoid(x) - t')
//   with probs p:    q = clip(p, eps, 1 - eps), -(t' log q + (1 - t') log(1 - q)),
//                    dp = scale * (q - t') / (q (1 - q)) inside the clip range, 0 outside
double binary_cross_entropy_with_logits(const float* logits, const float* target, int64_t n,
                                        float smoothing, double scale, float* dlogits);
double binary_cross_entropy(const float* probs, const float* target, int64_t n, float smoothing,
                            float eps, double scale, float* dprobs);

// (y - t)^2 summed; dy = scale * 2 (y - t).
double squared_error(const float* y, const float* target, int64_t n, double scale, float* dy);

}  // namespace convnet::kernels
