// Tensor: a float32, N-dimensional, contiguous array in row-major order (NCHW for images, as in
// PyTorch and ONNX, so weights interchange without transposes).
//
// Storage is 64-byte aligned (one cache line, one AVX-512 register) and shared between copies, as
// in PyTorch: `Tensor b = a;` aliases a's data, `a.clone()` copies it. Layers rely on this to keep
// their forward input for the backward pass without copying it.
#pragma once

#include <cassert>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>

#include "convnet/shape.h"

namespace convnet {

class Tensor {
 public:
  Tensor() = default;
  // A tensor of the given shape, filled with zeros.
  explicit Tensor(Shape shape);
  // A tensor of the given shape, filled with `value`.
  Tensor(Shape shape, float value);

  static Tensor zeros(Shape shape) { return Tensor(std::move(shape)); }
  // A tensor whose values are unspecified, for an output that a kernel overwrites entirely: no
  // zero fill, and freed buffers are handed out again (src/buffer_cache.h), which spares training
  // steps and inference the page faults of fresh memory for every layer's output.
  static Tensor uninitialized(Shape shape);
  static Tensor full(Shape shape, float value) { return Tensor(std::move(shape), value); }
  // A tensor holding a copy of `values` (whose size must equal shape.numel()).
  static Tensor from(Shape shape, std::initializer_list<float> values);
  static Tensor from(Shape shape, const float* values);

  const Shape& shape() const { return shape_; }
  int64_t numel() const { return numel_; }
  size_t rank() const { return shape_.rank(); }
  int64_t dim(size_t i) const { return shape_[i]; }
  bool empty() const { return numel_ == 0; }

  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  float* begin() { return data(); }
  float* end() { return data() + numel_; }
  const float* begin() const { return data(); }
  const float* end() const { return data() + numel_; }

  // Flat element access; bounds-checked in debug builds.
  float& operator[](int64_t i) {
    assert(i >= 0 && i < numel_);
    return data_.get()[i];
  }
  float operator[](int64_t i) const {
    assert(i >= 0 && i < numel_);
    return data_.get()[i];
  }
  // Multi-index access, e.g. t.at(n, c, h, w); bounds-checked in debug builds.
  template <typename... I>
  float& at(I... idx) {
    return data_.get()[offset({static_cast<int64_t>(idx)...})];
  }
  template <typename... I>
  float at(I... idx) const {
    return data_.get()[offset({static_cast<int64_t>(idx)...})];
  }

  // Same data, another shape of equal numel (shares storage). Throws std::invalid_argument.
  Tensor reshape(Shape shape) const;
  // A deep copy.
  Tensor clone() const;
  void fill(float value);
  void zero() { fill(0.0f); }
  // Copies b's values into this tensor (shapes must hold the same number of elements).
  void copy_from(const Tensor& b);
  // True when both share one buffer.
  bool shares_storage(const Tensor& b) const { return data_ == b.data_; }

 private:
  int64_t offset(std::initializer_list<int64_t> idx) const;

  Shape shape_;
  int64_t numel_ = 0;
  std::shared_ptr<float> data_;
};

// "Tensor[2, 3] {1, 2, 3, 4, 5, 6}" with at most `max_values` values printed.
std::string to_string(const Tensor& t, int max_values = 16);
std::ostream& operator<<(std::ostream& os, const Tensor& t);
std::ostream& operator<<(std::ostream& os, const Shape& s);

}  // namespace convnet
