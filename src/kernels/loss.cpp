#include "kernels/loss.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace convnet::kernels {
namespace {

// The smoothed target t'_c at one position, in double.
class TargetAt {
 public:
  TargetAt(const ClassTargets& t, int64_t C, int64_t inner, int64_t o, int64_t i)
      : on_(1.0 - double(t.smoothing)), off_(double(t.smoothing) / double(C)), inner_(inner) {
    if (t.labels)
      label_ = t.labels[o * inner + i];
    else
      probs_ = t.probs + o * C * inner + i;
  }
  double operator()(int64_t c) const {
    if (probs_) return on_ * double(probs_[c * inner_]) + off_;
    return c == label_ ? on_ + off_ : off_;
  }

 private:
  double on_, off_;
  int64_t inner_;
  const float* probs_ = nullptr;
  int64_t label_ = -1;
};

// The class distribution p at one position, given by logits (log-softmax, finite for any finite
// logits) or by probabilities (log p floored at the smallest normal float).
struct SoftmaxOfLogits {
  SoftmaxOfLogits(const float* first, int64_t C, int64_t inner) : x(first), inner(inner) {
    double max = x[0];
    for (int64_t c = 1; c < C; ++c) max = std::max(max, double(x[c * inner]));
    double sum = 0.0;
    for (int64_t c = 0; c < C; ++c) sum += std::exp(double(x[c * inner]) - max);
    log_sum_exp = max + std::log(sum);
  }
  double log_prob(int64_t c) const { return double(x[c * inner]) - log_sum_exp; }
  double prob(int64_t c) const { return std::exp(log_prob(c)); }

  const float* x;
  int64_t inner;
  double log_sum_exp;
};

struct Probabilities {
  Probabilities(const float* first, int64_t, int64_t inner) : p(first), inner(inner) {}
  double log_prob(int64_t c) const {
    return std::log(std::max(prob(c), double(std::numeric_limits<float>::min())));
  }
  double prob(int64_t c) const { return p[c * inner]; }

  const float* p;
  int64_t inner;
};

// -sum_c t'_c log p_c summed over the positions, and the gradient for the logits,
// scale * (p * sum t' - t').
template <typename Distribution>
double cross_entropy(const float* src, ClassTargets t, int64_t outer, int64_t C, int64_t inner,
                     double scale, float* dlogits) {
  double total = 0.0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t at = o * C * inner + i;
      const TargetAt target(t, C, inner, o, i);
      const Distribution p(src + at, C, inner);
      double loss = 0.0, target_sum = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const double tc = target(c);
        loss -= tc * p.log_prob(c);
        target_sum += tc;
      }
      total += loss;
      if (!dlogits) continue;
      for (int64_t c = 0; c < C; ++c)
        dlogits[at + c * inner] = float(scale * (p.prob(c) * target_sum - target(c)));
    }
  return total;
}

// Keras clips probabilities to [eps, 1 - eps] as float32 values.
double clip_high(float eps) {
  return double(float(1.0 - double(eps)));
}

}  // namespace

double softmax_cross_entropy(const float* logits, ClassTargets t, int64_t outer, int64_t C,
                             int64_t inner, double scale, float* dlogits) {
  return cross_entropy<SoftmaxOfLogits>(logits, t, outer, C, inner, scale, dlogits);
}

double cross_entropy_from_probs(const float* probs, ClassTargets t, int64_t outer, int64_t C,
                                int64_t inner, double scale, float* dlogits) {
  return cross_entropy<Probabilities>(probs, t, outer, C, inner, scale, dlogits);
}

double categorical_cross_entropy(const float* probs, ClassTargets t, int64_t outer, int64_t C,
                                 int64_t inner, float eps, double scale, float* dprobs) {
  const double lo = eps, hi = clip_high(eps);
  double total = 0.0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      const int64_t at = o * C * inner + i;
      const float* p = probs + at;
      const TargetAt target(t, C, inner, o, i);
      double sum = 0.0;
      for (int64_t c = 0; c < C; ++c) sum += p[c * inner];
      // loss = -sum_c t_c log q_c with q_c = clip(p_c / S). Through the normalization,
      // dloss/dp_j = (sum of t_c over unclipped c - [j unclipped] t_j / q_j) / S.
      double loss = 0.0, unclipped_target = 0.0;
      for (int64_t c = 0; c < C; ++c) {
        const double q = double(p[c * inner]) / sum;
        loss -= target(c) * std::log(std::clamp(q, lo, hi));
        if (q >= lo && q <= hi) unclipped_target += target(c);
      }
      total += loss;
      if (!dprobs) continue;
      for (int64_t c = 0; c < C; ++c) {
        const double q = double(p[c * inner]) / sum;
        const double own = (q >= lo && q <= hi) ? target(c) / q : 0.0;
        dprobs[at + c * inner] = float(scale * (unclipped_target - own) / sum);
      }
    }
  return total;
}

double binary_cross_entropy_with_logits(const float* logits, const float* target, int64_t n,
                                        float smoothing, double scale, float* dlogits) {
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double x = logits[i], t = (1.0 - smoothing) * target[i] + 0.5 * smoothing;
    // log(1 + exp(x)) - x t, written so that exp never overflows.
    total += std::max(x, 0.0) - x * t + std::log1p(std::exp(-std::abs(x)));
    if (dlogits) {
      const double sigmoid =
          x >= 0 ? 1.0 / (1.0 + std::exp(-x)) : std::exp(x) / (1.0 + std::exp(x));
      dlogits[i] = float(scale * (sigmoid - t));
    }
  }
  return total;
}

double binary_cross_entropy(const float* probs, const float* target, int64_t n, float smoothing,
                            float eps, double scale, float* dprobs) {
  const double lo = eps, hi = clip_high(eps);
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double p = probs[i], q = std::clamp(p, lo, hi);
    const double t = (1.0 - smoothing) * target[i] + 0.5 * smoothing;
    total -= t * std::log(q) + (1.0 - t) * std::log(1.0 - q);
    if (dprobs) dprobs[i] = (p >= lo && p <= hi) ? float(scale * (q - t) / (q * (1.0 - q))) : 0.0f;
  }
  return total;
}

double squared_error(const float* y, const float* target, int64_t n, double scale, float* dy) {
  double total = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = double(y[i]) - double(target[i]);
    total += d * d;
    if (dy) dy[i] = float(2.0 * scale * d);
  }
  return total;
}

}  // namespace convnet::kernels
