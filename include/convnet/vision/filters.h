// Classic image filters: the lecture's "convolution as feature extraction". A hand-made kernel
// slides over every channel of an image through convnet's own convolution (a DepthwiseConv2D layer
// whose fixed weights are the kernel), so the pictures come from the same code a CNN runs.
//
//   Tensor img = read_image("photo.jpg");                        // [C, H, W] in [0, 1]
//   Tensor edges = filter_image(img, make_kernel("sobel-x"));    // signed response, [C, H, W]
//   write_png("edges.png", apply_filter(img, "sobel", {}));      // display-ready in [0, 1]
//
// Kernels (make_kernel's specs), applied as cross-correlations as in every deep-learning framework
// (the kernel is not flipped: sobel-x is positive where brightness rises to the right):
//   sobel-x               [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
//   sobel-y               its transpose: positive where brightness rises downwards
//   laplacian             [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]], the lecture's edge kernel
//   sharpen               [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
//   box[:N]               N x N (default 3) values 1 / N^2: the local mean
//   gaussian[:N[:SIGMA]]  N x N (default 9, as in the lecture) samples of
//                         exp(-(x^2 + y^2) / (2 SIGMA^2)) about the centre, divided by their sum
//                         so that they sum to 1; SIGMA defaults to OpenCV's rule for a kernel of
//                         size N, 0.3 ((N - 1) / 2 - 1) + 0.8 (1.7 for N = 9)
//   FILE.txt (any path)   one kernel row per line, numbers separated by spaces or commas, '#'
//                         starting a comment; every row as long as the first
// apply_filter also takes "sobel": the gradient magnitude sqrt(gx^2 + gy^2) of the two Sobel
// responses.
//
// Display. Responses are mapped to [0, 1] for a PNG by DisplayScale; the automatic choice:
//   - brightness for kernels with a non-zero sum (smoothing, sharpening): response / sum, clamped
//     to [0, 1], so a Gaussian or box keeps the image's brightness and an unnormalized kernel of
//     ones from a file shows the local mean;
//   - centered for zero-sum kernels (Sobel x/y, Laplacian, other edge detectors), whose responses
//     are signed: 0.5 + x / (2 max|x|), so no response is mid-grey, rising edges light and falling
//     edges dark;
//   - magnitude for "sobel": x / max x (black = flat, white = the strongest edge).
// The maxima are taken over the whole image, all channels together, so colours keep their balance.
#pragma once

#include <string>

#include "convnet/padding.h"
#include "convnet/tensor.h"

namespace convnet {

enum class DisplayScale {
  automatic,   // by the filter, as described above
  brightness,  // response / kernel sum, clamped to [0, 1]
  centered,    // 0.5 + x / (2 max|x|)
  magnitude,   // |x| / max|x|
};

struct FilterOptions {
  Size2 stride = 1;                                // S: one output pixel every S input pixels
  Padding padding = Padding::same;                 // same: H2 = ceil(H / S), zeros outside
  DisplayScale display = DisplayScale::automatic;  // apply_filter only
};

// The kernel [KH, KW] named by `spec` (see above). Throws std::invalid_argument for an unknown
// name, a bad size or sigma, or a malformed file (naming the file and line).
Tensor make_kernel(const std::string& spec);

// Cross-correlates every channel of image [C, H, W] with kernel [KH, KW] -> [C, H2, W2], with
// H2 = floor((H + pad_top + pad_bottom - KH) / S) + 1 (Keras' padding rules). The raw response.
Tensor filter_image(const Tensor& image, const Tensor& kernel, const FilterOptions& options = {});

// sqrt(gx^2 + gy^2) of the Sobel responses, per channel.
Tensor sobel_magnitude(const Tensor& image, const FilterOptions& options = {});

// Maps a response to [0, 1] (see Display above); kernel_sum is used by brightness only.
// DisplayScale::automatic is not a mapping of its own (std::invalid_argument).
Tensor scale_for_display(const Tensor& response, DisplayScale scale, float kernel_sum = 1.0f);

// The filter named by `spec` ("sobel" included) applied to image [C, H, W] and scaled for display
// as options.display says.
Tensor apply_filter(const Tensor& image, const std::string& spec,
                    const FilterOptions& options = {});

}  // namespace convnet
