#include "convnet/data/dataset.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>

#include "convnet/random.h"

namespace convnet {

int64_t Dataset::size() const {
  return images.rank() == 0 ? 0 : images.dim(0);
}

Shape Dataset::sample_shape() const {
  return images.rank() == 0 ? Shape() : images.shape().without_batch();
}

int64_t Dataset::num_classes() const {
  if (!class_names.empty()) return int64_t(class_names.size());
  if (labels.empty()) return 0;
  return int64_t(*std::max_element(labels.begin(), labels.end())) + 1;
}

std::string Dataset::class_name(int64_t label) const {
  if (class_names.empty()) return std::to_string(label);
  if (label < 0 || label >= int64_t(class_names.size()))
    throw std::out_of_range("Dataset::class_name: label " + std::to_string(label) +
                            " outside [0, " + std::to_string(class_names.size()) + ")");
  return class_names[size_t(label)];
}

Dataset Dataset::subset(const std::vector<int64_t>& indices) const {
  const int64_t n = size();
  if (!labels.empty() && int64_t(labels.size()) != n)
    throw std::invalid_argument("Dataset::subset: " + std::to_string(labels.size()) +
                                " labels for " + std::to_string(n) + " images");
  if (!targets.empty() && (targets.rank() < 1 || targets.dim(0) != n))
    throw std::invalid_argument("Dataset::subset: targets " + targets.shape().str() + " for " +
                                std::to_string(n) + " images");
  Dataset out;
  out.class_names = class_names;
  out.images = Tensor(sample_shape().with_batch(int64_t(indices.size())));
  if (!targets.empty())
    out.targets = Tensor(targets.shape().without_batch().with_batch(int64_t(indices.size())));
  const int64_t row = n == 0 ? 0 : images.numel() / n;
  const int64_t target_row = n == 0 ? 0 : targets.numel() / n;
  if (!labels.empty()) out.labels.reserve(indices.size());
  for (size_t k = 0; k < indices.size(); ++k) {
    const int64_t i = indices[k];
    if (i < 0 || i >= n)
      throw std::out_of_range("Dataset::subset: index " + std::to_string(i) + " outside [0, " +
                              std::to_string(n) + ")");
    std::memcpy(out.images.data() + int64_t(k) * row, images.data() + i * row,
                sizeof(float) * size_t(row));
    if (!labels.empty()) out.labels.push_back(labels[size_t(i)]);
    if (!targets.empty())
      std::memcpy(out.targets.data() + int64_t(k) * target_row, targets.data() + i * target_row,
                  sizeof(float) * size_t(target_row));
  }
  return out;
}

std::pair<Dataset, Dataset> train_val_split(const Dataset& d, double fraction, uint64_t seed) {
  if (!(fraction >= 0.0 && fraction <= 1.0))
    throw std::invalid_argument("train_val_split: fraction " + std::to_string(fraction) +
                                " outside [0, 1]");
  const int64_t n = d.size();
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  Rng rng(seed);
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[size_t(i)], order[rng.below(uint64_t(i + 1))]);
  const int64_t n_val = std::llround(fraction * double(n));
  std::vector<int64_t> train(order.begin(), order.end() - n_val),
      val(order.end() - n_val, order.end());
  std::sort(train.begin(), train.end());
  std::sort(val.begin(), val.end());
  return {d.subset(train), d.subset(val)};
}

Dataset take_per_class(const Dataset& d, int64_t per_class, int64_t part, uint64_t seed) {
  if (d.labels.empty() || per_class < 1 || part < 0)
    throw std::invalid_argument("take_per_class: needs labels, per_class >= 1 and part >= 0");
  std::vector<std::vector<int64_t>> by_class(size_t(d.num_classes()));
  for (int64_t i = 0; i < d.size(); ++i) by_class[size_t(d.labels[size_t(i)])].push_back(i);
  Rng rng(seed);
  std::vector<int64_t> taken;
  for (size_t k = 0; k < by_class.size(); ++k) {
    std::vector<int64_t>& order = by_class[k];
    if (int64_t(order.size()) < (part + 1) * per_class)
      throw std::invalid_argument("take_per_class: class '" + d.class_name(int64_t(k)) +
                                  "' has " + std::to_string(order.size()) + " images, part " +
                                  std::to_string(part) + " of " + std::to_string(per_class) +
                                  " per class needs " + std::to_string((part + 1) * per_class));
    for (size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
    taken.insert(taken.end(), order.begin() + part * per_class,
                 order.begin() + (part + 1) * per_class);
  }
  std::sort(taken.begin(), taken.end());
  return d.subset(taken);
}

namespace {

// (C, H*W) for [N, C, H, W] or [C, H, W].
std::pair<int64_t, int64_t> channels_and_plane(const Shape& s, const char* who) {
  if (s.rank() == 4) return {s[1], s[2] * s[3]};
  if (s.rank() == 3) return {s[0], s[1] * s[2]};
  throw std::invalid_argument(std::string(who) +
                              ": expected images [N, C, H, W] or [C, H, W], got " + s.str());
}

}  // namespace

Normalization compute_normalization(const Dataset& d) {
  const auto [C, plane] = channels_and_plane(d.images.shape(), "compute_normalization");
  const int64_t n = d.size();
  if (n == 0 || plane == 0) throw std::invalid_argument("compute_normalization: empty data set");
  const float* x = d.images.data();
  // Sums over one channel of every sample of f(value), in double.
  auto channel_sum = [&](int64_t c, auto f) {
    double total = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      const float* p = x + (i * C + c) * plane;
      for (int64_t j = 0; j < plane; ++j) total += f(double(p[j]));
    }
    return total;
  };
  Normalization out;
  const double count = double(n) * double(plane);
  for (int64_t c = 0; c < C; ++c) {
    // Two passes: the variance of a nearly constant channel must come out as (nearly) zero.
    const double mean = channel_sum(c, [](double v) { return v; }) / count;
    const double var = channel_sum(c, [mean](double v) { return (v - mean) * (v - mean); }) / count;
    const double sd = std::sqrt(var);
    out.mean.push_back(float(mean));
    out.std.push_back(sd > 0.0 ? float(sd) : 1.0f);
  }
  return out;
}

void normalize(Tensor& images, const Normalization& n) {
  const auto [C, plane] = channels_and_plane(images.shape(), "normalize");
  if (int64_t(n.mean.size()) != C || int64_t(n.std.size()) != C)
    throw std::invalid_argument("normalize: " + std::to_string(n.mean.size()) + " means and " +
                                std::to_string(n.std.size()) + " stds for " + std::to_string(C) +
                                " channels");
  for (float sd : n.std)
    if (!(sd > 0.0f)) throw std::invalid_argument("normalize: std must be positive");
  const int64_t samples = images.rank() == 4 ? images.dim(0) : 1;
  float* x = images.data();
  for (int64_t i = 0; i < samples; ++i)
    for (int64_t c = 0; c < C; ++c) {
      const float mean = n.mean[size_t(c)], sd = n.std[size_t(c)];
      float* p = x + (i * C + c) * plane;
      for (int64_t j = 0; j < plane; ++j) p[j] = (p[j] - mean) / sd;
    }
}

}  // namespace convnet
