// Augmentation: random, per-sample changes to a batch [N, C, H, W], applied when batches are drawn.
//
// Order per sample: random crop, shift, flip (geometry), then Gaussian noise and salt-and-pepper
// (corruption). Translations fill with zeros. Noise is not clamped unless clip_noise says so, so
// that it also works on normalized images.
#pragma once

#include <cstdint>

#include "convnet/random.h"
#include "convnet/tensor.h"

namespace convnet {

struct Augmentation {
  int64_t random_crop_padding = 0;  // zero-pad by p on every side, crop back at a random offset
  bool horizontal_flip = false;     // mirror left-right with probability 1/2
  int64_t max_shift = 0;            // random translation by [-s, s] pixels in each axis, zero fill
  float gaussian_noise = 0.0f;      // stddev of additive noise (denoising autoencoders)
  float salt_pepper = 0.0f;         // fraction of pixels set to 0 or 1 (all channels), 1/2 each
  // Clamp Gaussian-noisy values to [0, 1], as an image file holds them: a denoiser trained on
  // unclamped noise meets a brighter, biased background in real noisy images.
  bool clip_noise = false;

  bool changes_geometry() const;
  bool corrupts() const;
  bool enabled() const { return changes_geometry() || corrupts(); }
};

// Both steps below, in place.
void augment(Tensor& batch, const Augmentation& a, Rng& rng);
// Crop, shift and flip only: the part a denoising autoencoder's target shares with its input.
void augment_geometry(Tensor& batch, const Augmentation& a, Rng& rng);
// Gaussian noise and salt-and-pepper only.
void corrupt(Tensor& batch, const Augmentation& a, Rng& rng);

}  // namespace convnet
