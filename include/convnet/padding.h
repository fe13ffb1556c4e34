// Window geometry shared by convolution and pooling: sizes, strides and padding.
#pragma once

#include <cstdint>
#include <string>

namespace convnet {

// A height x width pair; an integer means the same value for both (Keras' kernel_size=3).
struct Size2 {
  int64_t h = 1, w = 1;
  constexpr Size2() = default;
  constexpr Size2(int64_t s) : h(s), w(s) {}  // NOLINT(google-explicit-constructor)
  constexpr Size2(int64_t h_, int64_t w_) : h(h_), w(w_) {}
  bool operator==(const Size2&) const = default;
};

enum class PaddingMode {
  valid,     // no padding: the window must fit inside the input
  same,      // pad so that output = ceil(input / stride); the odd pixel goes bottom/right (Keras)
  explicit_  // the given top, bottom, left, right amounts (PyTorch's padding=p)
};

// Written as `Padding::valid`, `Padding::same`, `1` (1 on every side), or {top, bottom, left,
// right}.
struct Padding {
  PaddingMode mode = PaddingMode::valid;
  int64_t top = 0, bottom = 0, left = 0, right = 0;

  static constexpr PaddingMode valid = PaddingMode::valid;
  static constexpr PaddingMode same = PaddingMode::same;

  constexpr Padding() = default;
  constexpr Padding(PaddingMode m) : mode(m) {}  // NOLINT(google-explicit-constructor)
  constexpr Padding(int64_t p)                   // NOLINT(google-explicit-constructor)
      : mode(PaddingMode::explicit_), top(p), bottom(p), left(p), right(p) {}
  constexpr Padding(int64_t t, int64_t b, int64_t l, int64_t r)
      : mode(PaddingMode::explicit_), top(t), bottom(b), left(l), right(r) {}
  bool operator==(const Padding&) const = default;

  // "valid", "same" or "explicit"; and back (throws std::invalid_argument).
  std::string mode_name() const;
  static PaddingMode mode_from_name(const std::string& name);
};

// The padding actually applied on each side.
struct Pads {
  int64_t top = 0, bottom = 0, left = 0, right = 0;
};

// Effective extent of a dilated kernel: (k - 1) * dilation + 1.
constexpr int64_t dilated(int64_t k, int64_t dilation) { return (k - 1) * dilation + 1; }

// Padding of a window of effective size `kernel` sliding with `stride` over `input`.
Pads resolve_padding(const Padding& p, Size2 input, Size2 kernel, Size2 stride);

// floor((in + pad_total - kernel) / stride) + 1, as Keras and PyTorch compute it; 0 or less when
// the window does not fit (callers report that as a shape error).
constexpr int64_t window_output_size(int64_t in, int64_t kernel, int64_t stride,
                                     int64_t pad_total) {
  const int64_t span = in + pad_total - kernel;
  return span < 0 ? 0 : span / stride + 1;
}

}  // namespace convnet
