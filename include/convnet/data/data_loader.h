// DataLoader: seeded, shuffled mini-batches of a Dataset, with per-sample augmentation.
//
//   DataLoader loader(train, {.batch_size = 64, .seed = 1});
//   for (int64_t epoch = 0; epoch < epochs; ++epoch) {
//     loader.start_epoch(epoch);
//     for (Batch b; loader.next(b);) { /* forward b.images, loss against b.labels, step */ }
//   }
//
// Every sample appears exactly once per epoch (the last batch is smaller unless drop_last). The
// order and the augmentation of epoch e depend only on (seed, e), so the same seed gives the same
// batches, and start_epoch(e) can replay any epoch.
#pragma once

#include <cstdint>
#include <vector>

#include "convnet/data/augment.h"
#include "convnet/data/dataset.h"
#include "convnet/random.h"

namespace convnet {

struct Batch {
  Tensor images;                // [B, C, H, W], augmented
  std::vector<int32_t> labels;  // B entries, or empty for an unlabelled data set
  Tensor targets;               // [B, ...] the data set's dense targets, or empty
  // Only when the augmentation corrupts (noise, salt-and-pepper): the images after the geometric
  // augmentation but before corruption, the target of a denoising autoencoder. Empty otherwise.
  Tensor clean_images;
};

struct DataLoaderOptions {
  int64_t batch_size = 32;
  bool shuffle = true;     // false: samples in data set order (augmentation stays random)
  bool drop_last = false;  // drop a last batch smaller than batch_size
  uint64_t seed = 0;
  Augmentation augmentation = {};
};

class DataLoader {
 public:
  // Keeps a shallow copy of data (images share storage). Starts epoch 0.
  DataLoader(const Dataset& data, DataLoaderOptions options);

  int64_t batches_per_epoch() const;
  int64_t samples_per_epoch() const;
  const Dataset& data() const { return data_; }
  const DataLoaderOptions& options() const { return options_; }

  // Rewinds to the first batch of `epoch`, reshuffled deterministically from (seed, epoch).
  void start_epoch(int64_t epoch);
  // Fills `batch` with the next mini-batch; false (batch untouched) at the end of the epoch.
  // batch's tensors are overwritten in place when their shapes match, so a tensor kept from an
  // earlier batch changes: clone() what must outlive the next call.
  bool next(Batch& batch);

 private:
  // Rows order_[position_ .. position_ + b) of `all` into dst [b, ...], reusing dst's storage.
  void gather_rows(const Tensor& all, int64_t b, Tensor& dst) const;

  Dataset data_;
  DataLoaderOptions options_;
  std::vector<int64_t> order_;
  int64_t position_ = 0;
  Rng augment_rng_;
};

}  // namespace convnet
