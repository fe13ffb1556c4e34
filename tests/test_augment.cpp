// Augmentation: the image kernels it uses and the properties of each random transform.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>
#include <vector>

#include "convnet/data/augment.h"
#include "kernels/image.h"

namespace convnet {
namespace {

TEST(Augmentation, KernelsFlipAndTranslate) {
  const Tensor x = Tensor::from({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  Tensor y = x.clone();
  kernels::flip_horizontal(y.data(), 2, 2, 3);
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()),
            std::vector<float>({3, 2, 1, 6, 5, 4, 9, 8, 7, 12, 11, 10}));
  kernels::flip_horizontal(y.data(), 2, 2, 3);
  EXPECT_TRUE(std::equal(x.begin(), x.end(), y.begin())) << "flip twice = identity";
  // Down 1, left 1: dst[y][x] = src[y - 1][x + 1].
  kernels::translate(x.data(), y.data(), 2, 2, 3, 1, -1);
  EXPECT_EQ(std::vector<float>(y.begin(), y.end()),
            std::vector<float>({0, 0, 0, 2, 3, 0, 0, 0, 0, 8, 9, 0}));
  kernels::translate(x.data(), y.data(), 2, 2, 3, 0, 3);
  EXPECT_TRUE(std::all_of(y.begin(), y.end(), [](float v) { return v == 0.0f; }));
}

// Sixty distinct 1 x 5 x 6 images with values in [0.1, 0.9].
Tensor varied_batch(int64_t n = 60) {
  Tensor t({n, 1, 5, 6});
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = 0.1f + 0.8f * float((i * 7919) % 101) / 100.0f;
  return t;
}

// True when `got` equals `src` translated by some (dy, dx) with |dy|, |dx| <= s; sets the offset.
bool is_translation(const float* src, const float* got, int64_t s, int64_t& dy_out,
                    int64_t& dx_out) {
  std::vector<float> moved(30);
  for (int64_t dy = -s; dy <= s; ++dy)
    for (int64_t dx = -s; dx <= s; ++dx) {
      kernels::translate(src, moved.data(), 1, 5, 6, dy, dx);
      if (std::equal(moved.begin(), moved.end(), got)) {
        dy_out = dy;
        dx_out = dx;
        return true;
      }
    }
  return false;
}

TEST(Augmentation, FlipMirrorsAboutHalfTheSamples) {
  const Tensor x = varied_batch();
  Tensor y = x.clone();
  Rng rng(5);
  augment(y, {.horizontal_flip = true}, rng);
  int flipped = 0;
  for (int64_t n = 0; n < 60; ++n) {
    std::vector<float> mirror(x.data() + n * 30, x.data() + (n + 1) * 30);
    kernels::flip_horizontal(mirror.data(), 1, 5, 6);
    const bool same = std::equal(x.data() + n * 30, x.data() + (n + 1) * 30, y.data() + n * 30);
    const bool mirrored = std::equal(mirror.begin(), mirror.end(), y.data() + n * 30);
    EXPECT_TRUE(same || mirrored) << "sample " << n;
    flipped += mirrored;
  }
  // Binomial(60, 1/2): 30 +- 4 standard deviations.
  EXPECT_GT(flipped, 14);
  EXPECT_LT(flipped, 46);
}

TEST(Augmentation, CropAndShiftAreBoundedTranslations) {
  for (const Augmentation a :
       {Augmentation{.random_crop_padding = 2}, Augmentation{.max_shift = 1}}) {
    const int64_t s = a.random_crop_padding + a.max_shift;
    const Tensor x = varied_batch();
    Tensor y = x.clone();
    Rng rng(9);
    augment(y, a, rng);
    ASSERT_EQ(y.shape(), x.shape());
    std::set<std::pair<int64_t, int64_t>> offsets;
    for (int64_t n = 0; n < 60; ++n) {
      int64_t dy = 99, dx = 99;
      ASSERT_TRUE(is_translation(x.data() + n * 30, y.data() + n * 30, s, dy, dx))
          << "sample " << n;
      offsets.insert({dy, dx});
    }
    // Both extremes and the middle of the offset range turn up.
    EXPECT_GT(offsets.size(), size_t((2 * s + 1) * (2 * s + 1) / 2)) << "s = " << s;
    EXPECT_TRUE(offsets.count({-s, -s}) || offsets.count({-s, s})) << s;
    EXPECT_TRUE(offsets.count({s, s}) || offsets.count({s, -s})) << s;
  }
}

TEST(Augmentation, GaussianNoiseHasTheRequestedSpread) {
  Tensor y({100, 1, 20, 20}, 0.5f);
  Rng rng(2);
  augment(y, {.gaussian_noise = 0.1f}, rng);
  double sum = 0, sum_sq = 0;
  for (float v : y) {
    sum += v - 0.5;
    sum_sq += (v - 0.5) * (v - 0.5);
  }
  const double n = double(y.numel()), mean = sum / n, sd = std::sqrt(sum_sq / n - mean * mean);
  // 40000 draws: the standard errors are 0.0005 (mean) and 0.00035 (std).
  EXPECT_NEAR(mean, 0.0, 0.003);
  EXPECT_NEAR(sd, 0.1, 0.002);
  EXPECT_TRUE(std::any_of(y.begin(), y.end(), [](float v) { return v < 0.2f; }));
}

TEST(Augmentation, SaltAndPepperSetsExactlyTheFraction) {
  Tensor y({50, 3, 4, 5}, 0.5f);  // 20 pixels per image; 0.25 of them is 5
  Rng rng(4);
  augment(y, {.salt_pepper = 0.25f}, rng);
  int64_t salt = 0, pepper = 0;
  for (int64_t n = 0; n < 50; ++n) {
    int changed = 0;
    for (int64_t p = 0; p < 20; ++p) {
      const float r = y.at(n, 0, p / 5, p % 5), g = y.at(n, 1, p / 5, p % 5),
                  b = y.at(n, 2, p / 5, p % 5);
      EXPECT_TRUE(r == g && g == b) << "a pixel changes in every channel";
      if (r != 0.5f) {
        EXPECT_TRUE(r == 0.0f || r == 1.0f);
        ++changed;
        (r == 1.0f ? salt : pepper)++;
      }
    }
    EXPECT_EQ(changed, 5) << "sample " << n;
  }
  EXPECT_GT(salt, 80);  // 250 draws of 1/2
  EXPECT_GT(pepper, 80);
  EXPECT_THROW(augment(y, {.salt_pepper = 1.5f}, rng), std::invalid_argument);
  EXPECT_THROW(augment(y, {.max_shift = -1}, rng), std::invalid_argument);
}

}  // namespace
}  // namespace convnet
