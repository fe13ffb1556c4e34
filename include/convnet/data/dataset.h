// Dataset: labelled images in memory, the unit that loaders produce and DataLoader consumes.
//
//   images  float32 [N, C, H, W], scaled to [0, 1] by every loader of convnet
//   labels  N class indices in [0, num_classes()), or empty for unlabelled data
//   targets [N, ...] dense targets, or empty: per-pixel class masks [N, H, W] (segmentation),
//           high-resolution images [N, C, H', W'] (super-resolution). Training uses them instead of
//           the labels (Keras' fit(x, y) with any y); masks may come with the class names.
//
// A held-out split and per-channel normalization live here too, since they are whole-data-set
// operations that come before batching.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "convnet/tensor.h"

namespace convnet {

struct Dataset {
  Tensor images;                         // [N, C, H, W]
  std::vector<int32_t> labels;           // N entries, or empty for unlabelled data
  std::vector<std::string> class_names;  // may be empty: then the names are "0" .. "K-1"
  Tensor targets;                        // [N, ...] dense targets, or empty (see above)

  // N (0 for a default-constructed Dataset).
  int64_t size() const;
  // The shape of one sample, [C, H, W].
  Shape sample_shape() const;
  // class_names.size() when names are given, else max label + 1 (0 without labels).
  int64_t num_classes() const;
  // class_names[label], or the label in decimal when there are no names.
  std::string class_name(int64_t label) const;
  // The samples at `indices` (in that order, repeats allowed) with their labels, targets and the
  // same class names. Throws std::out_of_range for an index outside [0, size()).
  Dataset subset(const std::vector<int64_t>& indices) const;
};

struct DataSplits {
  Dataset train, test;
};

// A held-out split: shuffles the indices with Rng(seed) and returns {train, validation}, where
// validation holds the last round(fraction * N) of the permutation. Both parts keep the original
// order of their samples. fraction must lie in [0, 1] (std::invalid_argument).
std::pair<Dataset, Dataset> train_val_split(const Dataset& d, double fraction, uint64_t seed);

// A small labelled set: per_class images of every class, for learning from few labels. Each
// class's images are taken in an order shuffled by Rng(seed), and part p takes numbers
// p * per_class .. (p + 1) * per_class - 1 of it, so parts 0, 1, 2, ... of one seed are disjoint.
// The result keeps data set order. Throws std::invalid_argument when d has no labels, per_class < 1
// or part < 0, or a class has fewer than (part + 1) * per_class images (naming it).
Dataset take_per_class(const Dataset& d, int64_t per_class, int64_t part = 0, uint64_t seed = 0);

// Per-channel statistics over N, H and W: mean and population standard deviation. A constant
// channel gets std 1, so that normalize() leaves it finite.
struct Normalization {
  std::vector<float> mean, std;
};
Normalization compute_normalization(const Dataset& d);
// In place, x = (x - mean[c]) / std[c], for images [N, C, H, W] or a single image [C, H, W].
void normalize(Tensor& images, const Normalization& n);

}  // namespace convnet
