#include "convnet/data/augment.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

#include "kernels/image.h"

namespace convnet {
namespace {

struct BatchGeom {
  int64_t N, C, H, W;
};

BatchGeom batch_geom(const Tensor& batch, const char* who) {
  const Shape& s = batch.shape();
  if (s.rank() == 4) return {s[0], s[1], s[2], s[3]};
  if (s.rank() == 3) return {1, s[0], s[1], s[2]};
  throw std::invalid_argument(
      std::string(who) + ": expected a batch [N, C, H, W] or an image [C, H, W], got " + s.str());
}

void check(const Augmentation& a) {
  if (a.random_crop_padding < 0 || a.max_shift < 0)
    throw std::invalid_argument("Augmentation: random_crop_padding and max_shift must be >= 0");
  if (!(a.gaussian_noise >= 0.0f))
    throw std::invalid_argument("Augmentation: gaussian_noise must be >= 0");
  if (!(a.salt_pepper >= 0.0f && a.salt_pepper <= 1.0f))
    throw std::invalid_argument("Augmentation: salt_pepper must lie in [0, 1]");
}

// A uniform offset in [-s, s].
int64_t offset(Rng& rng, int64_t s) {
  return int64_t(rng.below(uint64_t(2 * s + 1))) - s;
}

}  // namespace

bool Augmentation::changes_geometry() const {
  return random_crop_padding > 0 || horizontal_flip || max_shift > 0;
}

bool Augmentation::corrupts() const {
  return gaussian_noise > 0.0f || salt_pepper > 0.0f;
}

void augment(Tensor& batch, const Augmentation& a, Rng& rng) {
  augment_geometry(batch, a, rng);
  corrupt(batch, a, rng);
}

void augment_geometry(Tensor& batch, const Augmentation& a, Rng& rng) {
  check(a);
  if (!a.changes_geometry()) return;
  const BatchGeom g = batch_geom(batch, "augment");
  const int64_t sample = g.C * g.H * g.W;
  std::vector<float> moved(static_cast<size_t>(sample));
  // Zero-padding by p and cropping at offset o in [0, 2p] moves the image by p - o.
  auto translate_randomly = [&](float* x, int64_t s) {
    const int64_t dy = offset(rng, s), dx = offset(rng, s);
    if (dy == 0 && dx == 0) return;
    kernels::translate(x, moved.data(), g.C, g.H, g.W, dy, dx);
    std::memcpy(x, moved.data(), sizeof(float) * size_t(sample));
  };
  for (int64_t n = 0; n < g.N; ++n) {
    float* x = batch.data() + n * sample;
    if (a.random_crop_padding > 0) translate_randomly(x, a.random_crop_padding);
    if (a.max_shift > 0) translate_randomly(x, a.max_shift);
    if (a.horizontal_flip && rng.below(2) == 1) kernels::flip_horizontal(x, g.C, g.H, g.W);
  }
}

void corrupt(Tensor& batch, const Augmentation& a, Rng& rng) {
  check(a);
  if (!a.corrupts()) return;
  const BatchGeom g = batch_geom(batch, "augment");
  const int64_t plane = g.H * g.W, sample = g.C * plane;
  const auto flipped = int64_t(std::llround(double(a.salt_pepper) * double(plane)));
  std::vector<int64_t> pixels(static_cast<size_t>(plane));
  for (int64_t n = 0; n < g.N; ++n) {
    float* x = batch.data() + n * sample;
    if (a.gaussian_noise > 0.0f)
      for (int64_t i = 0; i < sample; ++i) {
        x[i] += rng.normal(0.0f, a.gaussian_noise);
        if (a.clip_noise) x[i] = std::clamp(x[i], 0.0f, 1.0f);
      }
    if (flipped > 0) {
      // The first `flipped` entries of a partial Fisher-Yates shuffle: distinct, uniform pixels.
      std::iota(pixels.begin(), pixels.end(), 0);
      for (int64_t k = 0; k < flipped; ++k) {
        std::swap(pixels[size_t(k)], pixels[size_t(k) + rng.below(uint64_t(plane - k))]);
        const float v = rng.below(2) == 1 ? 1.0f : 0.0f;
        for (int64_t c = 0; c < g.C; ++c) x[c * plane + pixels[size_t(k)]] = v;
      }
    }
  }
}

}  // namespace convnet
