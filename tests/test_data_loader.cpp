// Dataset operations, normalization and DataLoader's batching contract.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <vector>

#include "convnet/data.h"
#include "kernels/image.h"

namespace convnet {
namespace {

// N samples [C, H, W]; every value of sample i encodes i (i + position / 1000), labels i % 7.
Dataset indexed_dataset(int64_t n, int64_t c = 1, int64_t h = 3, int64_t w = 4) {
  Dataset d;
  d.images = Tensor({n, c, h, w});
  const int64_t row = c * h * w;
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < row; ++j) d.images[i * row + j] = float(i) + float(j) / 1000.0f;
    d.labels.push_back(int32_t(i % 7));
  }
  return d;
}

int64_t sample_index(const Tensor& batch, int64_t k) {
  const int64_t row = batch.numel() / batch.dim(0);
  return int64_t(std::floor(batch[k * row]));
}

std::vector<int64_t> epoch_order(DataLoader& loader, int64_t epoch) {
  loader.start_epoch(epoch);
  std::vector<int64_t> order;
  for (Batch b; loader.next(b);)
    for (int64_t k = 0; k < b.images.dim(0); ++k) order.push_back(sample_index(b.images, k));
  return order;
}

TEST(Dataset, SubsetSizeAndClasses) {
  Dataset d = indexed_dataset(10);
  EXPECT_EQ(d.size(), 10);
  EXPECT_EQ(d.num_classes(), 7);
  EXPECT_EQ(d.class_name(3), "3");
  const Dataset s = d.subset({9, 2, 2});
  ASSERT_EQ(s.images.shape(), Shape({3, 1, 3, 4}));
  EXPECT_EQ(s.labels, std::vector<int32_t>({2, 2, 2}));
  EXPECT_EQ(s.images.at(0, 0, 2, 3), 9.011f);
  EXPECT_EQ(s.images.at(2, 0, 0, 1), 2.001f);
  EXPECT_THROW(d.subset({10}), std::out_of_range);
  EXPECT_THROW(d.subset({-1}), std::out_of_range);
  d.class_names = {"a", "b", "c", "d", "e", "f", "g", "h"};
  EXPECT_EQ(d.num_classes(), 8);
  EXPECT_EQ(d.class_name(7), "h");
  EXPECT_EQ(Dataset().size(), 0);
  EXPECT_EQ(Dataset().num_classes(), 0);
}

TEST(Dataset, TrainValSplitIsADeterministicPartition) {
  const Dataset d = indexed_dataset(50);
  const auto [train, val] = train_val_split(d, 0.2, 7);
  ASSERT_EQ(train.size(), 40);
  ASSERT_EQ(val.size(), 10);
  std::vector<int64_t> all;
  for (const Dataset* part : {&train, &val})
    for (int64_t k = 0; k < part->size(); ++k) {
      all.push_back(sample_index(part->images, k));
      EXPECT_EQ(part->labels[size_t(k)], all.back() % 7);
    }
  std::vector<int64_t> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> want(50);
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(sorted, want);
  // Same seed, same split; another seed, another validation set.
  const auto again = train_val_split(d, 0.2, 7);
  EXPECT_TRUE(std::equal(val.images.begin(), val.images.end(), again.second.images.begin()));
  const auto other = train_val_split(d, 0.2, 8);
  EXPECT_FALSE(std::equal(val.images.begin(), val.images.end(), other.second.images.begin()));
  // Not simply the tail of the data.
  EXPECT_NE(sample_index(val.images, 0), 40);
  EXPECT_EQ(train_val_split(d, 0.0, 1).second.size(), 0);
  EXPECT_EQ(train_val_split(d, 1.0, 1).first.size(), 0);
  EXPECT_THROW(train_val_split(d, 1.5, 1), std::invalid_argument);
  EXPECT_THROW(train_val_split(d, -0.1, 1), std::invalid_argument);
}

TEST(Dataset, NormalizationStatistics) {
  // Channel 0 alternates 0 and 1 (mean 0.5, std 0.5); channel 1 is constant 0.3 (std -> 1);
  // channel 2 holds 1, 2, 3, 4 per sample (mean 2.5, population std sqrt(1.25)).
  Dataset d;
  d.images = Tensor({3, 3, 2, 2});
  for (int64_t n = 0; n < 3; ++n)
    for (int64_t i = 0; i < 4; ++i) {
      d.images.at(n, 0, i / 2, i % 2) = float(i % 2);
      d.images.at(n, 1, i / 2, i % 2) = 0.3f;
      d.images.at(n, 2, i / 2, i % 2) = float(i + 1);
    }
  const Normalization s = compute_normalization(d);
  ASSERT_EQ(s.mean.size(), 3u);
  EXPECT_FLOAT_EQ(s.mean[0], 0.5f);
  EXPECT_FLOAT_EQ(s.std[0], 0.5f);
  EXPECT_FLOAT_EQ(s.mean[1], 0.3f);
  EXPECT_EQ(s.std[1], 1.0f);
  EXPECT_FLOAT_EQ(s.mean[2], 2.5f);
  EXPECT_FLOAT_EQ(s.std[2], std::sqrt(1.25f));
  normalize(d.images, s);
  EXPECT_FLOAT_EQ(d.images.at(1, 0, 0, 1), 1.0f);
  EXPECT_FLOAT_EQ(d.images.at(1, 0, 0, 0), -1.0f);
  EXPECT_NEAR(d.images.at(2, 1, 1, 1), 0.0f, 1e-7f);
  EXPECT_FLOAT_EQ(d.images.at(0, 2, 1, 1), 1.5f / std::sqrt(1.25f));
  // A single image [C, H, W] normalizes the same way.
  Tensor one({3, 1, 1}, 0.5f);
  normalize(one, s);
  EXPECT_FLOAT_EQ(one[0], 0.0f);
  EXPECT_FLOAT_EQ(one[2], (0.5f - 2.5f) / std::sqrt(1.25f));
  EXPECT_THROW(normalize(one, {{0.0f}, {1.0f}}), std::invalid_argument);
}

TEST(DataLoader, EverySampleOncePerEpoch) {
  const Dataset d = indexed_dataset(23);
  DataLoader loader(d, {.batch_size = 5, .seed = 3});
  EXPECT_EQ(loader.batches_per_epoch(), 5);
  loader.start_epoch(0);
  std::vector<int64_t> seen, sizes;
  for (Batch b; loader.next(b);) {
    sizes.push_back(b.images.dim(0));
    ASSERT_EQ(b.images.shape(), Shape({b.images.dim(0), 1, 3, 4}));
    ASSERT_EQ(int64_t(b.labels.size()), b.images.dim(0));
    for (int64_t k = 0; k < b.images.dim(0); ++k) {
      const int64_t i = sample_index(b.images, k);
      seen.push_back(i);
      EXPECT_EQ(b.labels[size_t(k)], i % 7) << "label travels with its image";
      // The whole row was copied, not just its first value.
      EXPECT_EQ(b.images.at(k, 0, 2, 3), float(i) + 0.011f);
    }
  }
  EXPECT_EQ(sizes, std::vector<int64_t>({5, 5, 5, 5, 3}));
  std::vector<int64_t> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> want(23);
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(sorted, want);
  EXPECT_NE(seen, want) << "shuffled";
  Batch after;
  EXPECT_FALSE(loader.next(after)) << "stays at the end until start_epoch";
}

TEST(DataLoader, DropLastAndNoShuffle) {
  const Dataset d = indexed_dataset(23);
  DataLoader dropping(d, {.batch_size = 5, .drop_last = true, .seed = 1});
  EXPECT_EQ(dropping.batches_per_epoch(), 4);
  const std::vector<int64_t> order = epoch_order(dropping, 0);
  EXPECT_EQ(order.size(), 20u);
  EXPECT_EQ(std::set<int64_t>(order.begin(), order.end()).size(), 20u);

  DataLoader in_order(d, {.batch_size = 10, .shuffle = false});
  std::vector<int64_t> want(23);
  std::iota(want.begin(), want.end(), 0);
  EXPECT_EQ(epoch_order(in_order, 0), want);
  EXPECT_EQ(epoch_order(in_order, 1), want);
}

TEST(DataLoader, SeedsAndEpochsDecideTheOrder) {
  const Dataset d = indexed_dataset(40);
  DataLoader a(d, {.batch_size = 8, .seed = 11}), b(d, {.batch_size = 8, .seed = 11});
  DataLoader c(d, {.batch_size = 8, .seed = 12});
  const auto a0 = epoch_order(a, 0), a1 = epoch_order(a, 1);
  EXPECT_EQ(a0, epoch_order(b, 0));
  EXPECT_EQ(a1, epoch_order(b, 1));
  EXPECT_NE(a0, a1) << "epochs differ";
  EXPECT_NE(a0, epoch_order(c, 0)) << "seeds differ";
  EXPECT_EQ(epoch_order(b, 0), a0) << "start_epoch replays an epoch";
  // The constructor starts epoch 0.
  DataLoader fresh(d, {.batch_size = 8, .seed = 11});
  Batch first;
  ASSERT_TRUE(fresh.next(first));
  EXPECT_EQ(sample_index(first.images, 0), a0[0]);
}

TEST(DataLoader, ReusesBatchBuffersAndHandlesUnlabelledData) {
  Dataset d = indexed_dataset(12);
  d.labels.clear();
  DataLoader loader(d, {.batch_size = 4});
  Batch b;
  ASSERT_TRUE(loader.next(b));
  const float* buffer = b.images.data();
  ASSERT_TRUE(loader.next(b));
  EXPECT_EQ(b.images.data(), buffer);
  EXPECT_TRUE(b.labels.empty());
  EXPECT_TRUE(b.clean_images.empty());
  EXPECT_THROW(DataLoader(d, {.batch_size = 0}), std::invalid_argument);
  d.labels = {1, 2};
  EXPECT_THROW(DataLoader(d, {}), std::invalid_argument);
}

TEST(DataLoader, AugmentsDeterministicallyAndKeepsCleanTargets) {
  const Dataset d = indexed_dataset(16, 1, 4, 4);
  const DataLoaderOptions opts{.batch_size = 16,
                               .shuffle = false,
                               .seed = 5,
                               .augmentation = {.horizontal_flip = true, .gaussian_noise = 0.05f}};
  DataLoader a(d, opts), b(d, opts);
  Batch ba, bb;
  ASSERT_TRUE(a.next(ba));
  ASSERT_TRUE(b.next(bb));
  EXPECT_TRUE(std::equal(ba.images.begin(), ba.images.end(), bb.images.begin())) << "same seed";
  ASSERT_EQ(ba.clean_images.shape(), ba.images.shape());
  // clean_images: the (maybe flipped) source without noise; images: clean + noise.
  for (int64_t n = 0; n < 16; ++n) {
    std::vector<float> src(d.images.data() + n * 16, d.images.data() + (n + 1) * 16);
    std::vector<float> mirror = src;
    kernels::flip_horizontal(mirror.data(), 1, 4, 4);
    const float* clean = ba.clean_images.data() + n * 16;
    EXPECT_TRUE(std::equal(src.begin(), src.end(), clean) ||
                std::equal(mirror.begin(), mirror.end(), clean));
  }
  double diff = 0;
  for (int64_t i = 0; i < ba.images.numel(); ++i)
    diff += std::abs(ba.images[i] - ba.clean_images[i]);
  EXPECT_GT(diff / double(ba.images.numel()), 0.02);  // E|noise| = 0.05 * sqrt(2/pi) = 0.04
  // Another epoch draws other augmentations.
  a.start_epoch(1);
  Batch next;
  ASSERT_TRUE(a.next(next));
  EXPECT_FALSE(std::equal(next.images.begin(), next.images.end(), bb.images.begin()));
}

}  // namespace
}  // namespace convnet
