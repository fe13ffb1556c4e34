// A synthetic data set of printed digits: "another data set" for the transfer-learning example,
// whose images look like MNIST's (28x28 grey, one centred digit) but come from typefaces, not
// handwriting, so that no download is needed.
//
// Every image is one digit rendered with stb_truetype from a random DejaVu typeface (sans, serif,
// mono, condensed; regular, bold, oblique, extra-light), then randomly scaled, stretched, sheared,
// rotated and shifted, its strokes thickened or thinned, drawn in a random light grey on a random
// dark grey (like MNIST's; optionally some dark on light), with Gaussian noise. Class k is the
// digit k; image n is of class n % 10, so every class has count / 10 images (the first
// count % 10 classes one more).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convnet/data/dataset.h"

namespace convnet {

struct DigitsOptions {
  int64_t count = 1000;      // images
  int64_t size = 28;         // height = width, >= 12
  float max_rotation = 15;   // degrees, uniform in [-max_rotation, max_rotation]
  float invert = 0;          // probability of a dark digit on a light background
  float noise = 0.08f;       // largest stddev of the Gaussian pixel noise (then clamped to [0, 1])
  uint64_t seed = 0;
  std::string font_dir = "/usr/share/fonts/truetype/dejavu";  // Debian's fonts-dejavu-core
};

// {"0", "1", ..., "9"}: class k is the digit k.
const std::vector<std::string>& digit_class_names();

// images [count, 1, size, size] in [0, 1], labels, class names as above. The same options give the
// same images. Throws std::runtime_error when font_dir holds none of the DejaVu typefaces (the
// message names the folder and the Debian package), std::invalid_argument for count < 1 or
// size < 12.
Dataset make_digits(const DigitsOptions& options);

}  // namespace convnet
