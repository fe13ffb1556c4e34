#include "convnet/vision/metrics.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace convnet {
namespace {

double psnr_of(const float* a, const float* b, int64_t n, double peak) {
  double se = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    const double d = double(a[i]) - double(b[i]);
    se += d * d;
  }
  const double mse = std::max(se / double(n), 1e-10 * peak * peak);
  return 10.0 * std::log10(peak * peak / mse);
}

void check_same_size(const Tensor& a, const Tensor& b, const char* who) {
  if (a.numel() != b.numel() || a.numel() == 0)
    throw std::invalid_argument(std::string(who) + ": shapes " + a.shape().str() + " and " +
                                b.shape().str() + " differ in size or are empty");
}

int64_t class_of(float v, int64_t classes, const char* which) {
  const int64_t c = int64_t(v);
  if (float(c) != v || c < 0 || c >= classes)
    throw std::invalid_argument(std::string("segmentation_score: ") + which + " holds " +
                                std::to_string(v) + ", expected a class in [0, " +
                                std::to_string(classes) + ")");
  return c;
}

}  // namespace

double psnr(const Tensor& estimate, const Tensor& reference, double peak) {
  check_same_size(estimate, reference, "psnr");
  return psnr_of(estimate.data(), reference.data(), estimate.numel(), peak);
}

double mean_psnr(const Tensor& estimates, const Tensor& references, double peak) {
  check_same_size(estimates, references, "mean_psnr");
  if (estimates.rank() < 1 || references.rank() < 1 || estimates.dim(0) != references.dim(0))
    throw std::invalid_argument("mean_psnr: batches " + estimates.shape().str() + " and " +
                                references.shape().str() + " differ");
  const int64_t N = estimates.dim(0), row = estimates.numel() / N;
  double sum = 0.0;
  for (int64_t n = 0; n < N; ++n)
    sum += psnr_of(estimates.data() + n * row, references.data() + n * row, row, peak);
  return sum / double(N);
}

Tensor argmax_channels(const Tensor& scores) {
  if (scores.rank() != 4)
    throw std::invalid_argument("argmax_channels: expected scores [N, C, H, W], got " +
                                scores.shape().str());
  const int64_t N = scores.dim(0), C = scores.dim(1), HW = scores.dim(2) * scores.dim(3);
  Tensor out({N, scores.dim(2), scores.dim(3)});
  for (int64_t n = 0; n < N; ++n)
    for (int64_t p = 0; p < HW; ++p) {
      const float* s = scores.data() + n * C * HW + p;
      int64_t best = 0;
      for (int64_t c = 1; c < C; ++c)
        if (s[c * HW] > s[best * HW]) best = c;
      out[n * HW + p] = float(best);
    }
  return out;
}

SegmentationScore segmentation_score(const Tensor& predicted, const Tensor& truth,
                                     int64_t classes) {
  check_same_size(predicted, truth, "segmentation_score");
  if (classes < 1) throw std::invalid_argument("segmentation_score: classes must be >= 1");
  std::vector<int64_t> intersection(static_cast<size_t>(classes), 0), unions(intersection);
  int64_t correct = 0;
  for (int64_t i = 0; i < truth.numel(); ++i) {
    const int64_t p = class_of(predicted[i], classes, "the prediction");
    const int64_t t = class_of(truth[i], classes, "the truth");
    ++unions[size_t(t)];
    if (p == t) {
      ++intersection[size_t(t)];
      ++correct;
    } else {
      ++unions[size_t(p)];
    }
  }
  SegmentationScore s;
  double sum = 0.0;
  int64_t present = 0;
  for (int64_t c = 0; c < classes; ++c) {
    if (unions[size_t(c)] == 0) {
      s.iou.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    s.iou.push_back(double(intersection[size_t(c)]) / double(unions[size_t(c)]));
    sum += s.iou.back();
    ++present;
  }
  s.mean_iou = present ? sum / double(present) : 0.0;
  s.pixel_accuracy = double(correct) / double(truth.numel());
  return s;
}

}  // namespace convnet
