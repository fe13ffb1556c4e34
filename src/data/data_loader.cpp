#include "convnet/data/data_loader.h"

#include <cstring>
#include <numeric>
#include <stdexcept>

namespace convnet {
namespace {

// Distinct, well-mixed seeds for each (seed, epoch, stream), so that epochs differ and the shuffle
// and the augmentation draw independent numbers.
uint64_t derive_seed(uint64_t seed, int64_t epoch, uint64_t stream) {
  Rng r(seed ^ (uint64_t(epoch) * 0x9e3779b97f4a7c15ULL) ^ (stream * 0xd1b54a32d192ed03ULL));
  return r.next_u64();
}

}  // namespace

DataLoader::DataLoader(const Dataset& data, DataLoaderOptions options)
    : data_(data), options_(std::move(options)) {
  if (options_.batch_size < 1)
    throw std::invalid_argument("DataLoader: batch_size must be >= 1, got " +
                                std::to_string(options_.batch_size));
  if (data_.images.rank() < 2)
    throw std::invalid_argument("DataLoader: expected images [N, ...], got " +
                                data_.images.shape().str());
  if (!data_.labels.empty() && int64_t(data_.labels.size()) != data_.size())
    throw std::invalid_argument("DataLoader: " + std::to_string(data_.labels.size()) +
                                " labels for " + std::to_string(data_.size()) + " images");
  if (!data_.targets.empty()) {
    if (data_.targets.rank() < 1 || data_.targets.dim(0) != data_.size())
      throw std::invalid_argument("DataLoader: targets " + data_.targets.shape().str() + " for " +
                                  std::to_string(data_.size()) + " images");
    // A crop or flip of the image would have to move its mask or high-resolution twin too.
    if (options_.augmentation.changes_geometry())
      throw std::invalid_argument(
          "DataLoader: geometric augmentation (crop, shift, flip) cannot be used with dense "
          "targets");
  }
  start_epoch(0);
}

int64_t DataLoader::batches_per_epoch() const {
  const int64_t n = data_.size(), b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

int64_t DataLoader::samples_per_epoch() const {
  return options_.drop_last ? batches_per_epoch() * options_.batch_size : data_.size();
}

void DataLoader::start_epoch(int64_t epoch) {
  order_.resize(size_t(data_.size()));
  std::iota(order_.begin(), order_.end(), 0);
  if (options_.shuffle) {
    Rng rng(derive_seed(options_.seed, epoch, 0));
    for (size_t i = order_.size(); i > 1; --i) std::swap(order_[i - 1], order_[rng.below(i)]);
  }
  augment_rng_.seed_with(derive_seed(options_.seed, epoch, 1));
  position_ = 0;
}

void DataLoader::gather_rows(const Tensor& all, int64_t b, Tensor& dst) const {
  const Shape shape = all.shape().without_batch().with_batch(b);
  if (dst.shape() != shape || dst.numel() != shape.numel()) dst = Tensor(shape);
  const int64_t row = shape.numel() / b;
  for (int64_t i = 0; i < b; ++i)
    std::memcpy(dst.data() + i * row, all.data() + order_[size_t(position_ + i)] * row,
                sizeof(float) * size_t(row));
}

bool DataLoader::next(Batch& batch) {
  const int64_t n = data_.size();
  const int64_t b = std::min(options_.batch_size, n - position_);
  if (b <= 0 || (options_.drop_last && b < options_.batch_size)) return false;

  gather_rows(data_.images, b, batch.images);
  if (data_.targets.empty())
    batch.targets = Tensor();
  else
    gather_rows(data_.targets, b, batch.targets);
  batch.labels.clear();
  if (!data_.labels.empty())
    for (int64_t i = 0; i < b; ++i)
      batch.labels.push_back(data_.labels[size_t(order_[size_t(position_ + i)])]);
  position_ += b;

  const Augmentation& a = options_.augmentation;
  const Shape shape = batch.images.shape();
  augment_geometry(batch.images, a, augment_rng_);
  if (a.corrupts()) {
    if (batch.clean_images.shape() != shape || batch.clean_images.numel() != shape.numel())
      batch.clean_images = Tensor(shape);
    batch.clean_images.copy_from(batch.images);
    corrupt(batch.images, a, augment_rng_);
  } else {
    batch.clean_images = Tensor();
  }
  return true;
}

}  // namespace convnet
