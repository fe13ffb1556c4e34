#include "convnet/tensor.h"

#include <sys/mman.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
#include <ostream>
#include <sstream>
#include <stdexcept>

#include "buffer_cache.h"
#include "tensor_budget.h"

namespace convnet {
namespace {

constexpr size_t kAlignment = 64;
thread_local TensorBudget* current_budget = nullptr;

// Zero tensors from this size on come straight from the kernel's zero pages (mmap): they cost no
// memory until written, so the gradient buffers of a model that only runs inference stay virtual
// (VGG-16's are 553 MB), and they go back to the system as soon as they are freed.
constexpr size_t kZeroPagesMinBytes = detail::kMaxCachedBufferBytes;

// Uninitialized tensors from this size on come from the large tier of the buffer cache; smaller
// buffers of every kind are recycled by allocate() (buffer_cache.h).
constexpr size_t kRecycleMinBytes = detail::kMaxCachedBufferBytes;

std::shared_ptr<float> allocate_zero_pages(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  return std::shared_ptr<float>(static_cast<float*>(p), [bytes](float* q) { munmap(q, bytes); });
}

std::shared_ptr<float> allocate(int64_t n) {
  if (n < 0) throw std::invalid_argument("Tensor: negative number of elements");
  TensorBudget::charge(n);
  // aligned_alloc needs a size that is a multiple of the alignment; never ask for zero bytes.
  size_t bytes = std::max<size_t>(kAlignment, (size_t(n) * sizeof(float) + kAlignment - 1) /
                                                  kAlignment * kAlignment);
  float* p = detail::take_cached_buffer(bytes);  // see buffer_cache.h
  if (!p) p = static_cast<float*>(std::aligned_alloc(kAlignment, bytes));
  if (!p) throw std::bad_alloc();
  return std::shared_ptr<float>(p, [bytes](float* q) { detail::recycle_buffer(q, bytes); });
}

void check_shape(const Shape& shape) {
  for (int64_t d : shape)
    if (d < 0) throw std::invalid_argument("Tensor: negative dimension in shape " + shape.str());
}

// shape.numel(), refusing shapes whose byte size overflows (Shape::numel would wrap silently and
// the allocation come out too small).
int64_t checked_numel(const Shape& shape) {
  check_shape(shape);
  int64_t n = 1;
  for (int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n) || n > int64_t(SIZE_MAX / 2 / sizeof(float)))
      throw std::invalid_argument("Tensor: shape " + shape.str() + " has too many elements");
  return n;
}

}  // namespace

TensorBudget::TensorBudget(int64_t elements) : left_(elements), outer_(current_budget) {
  current_budget = this;
}

TensorBudget::~TensorBudget() { current_budget = outer_; }

void TensorBudget::charge(int64_t elements) {
  TensorBudget* b = current_budget;
  if (!b) return;
  if (elements > b->left_)
    throw std::runtime_error("Tensor: " + std::to_string(elements) +
                             " elements exceed the allocation budget (" +
                             std::to_string(b->left_) + " left)");
  b->left_ -= elements;
}

Tensor::Tensor(Shape shape) : Tensor(std::move(shape), 0.0f) {}

Tensor::Tensor(Shape shape, float value) : shape_(std::move(shape)) {
  numel_ = checked_numel(shape_);
  const size_t bytes = size_t(numel_) * sizeof(float);
  if (value == 0.0f && !std::signbit(value) && bytes >= kZeroPagesMinBytes) {
    TensorBudget::charge(numel_);
    data_ = allocate_zero_pages(bytes);  // page-aligned, so 64-byte aligned too
    return;
  }
  data_ = allocate(numel_);
  std::fill_n(data_.get(), numel_, value);
}

Tensor Tensor::from(Shape shape, std::initializer_list<float> values) {
  if (int64_t(values.size()) != shape.numel())
    throw std::invalid_argument("Tensor::from: " + std::to_string(values.size()) +
                                " values for shape " + shape.str());
  Tensor t(std::move(shape));
  std::copy(values.begin(), values.end(), t.data());
  return t;
}

Tensor Tensor::from(Shape shape, const float* values) {
  Tensor t(std::move(shape));
  std::copy_n(values, t.numel(), t.data());
  return t;
}

Tensor Tensor::reshape(Shape shape) const {
  check_shape(shape);
  if (shape.numel() != numel_)
    throw std::invalid_argument("Tensor::reshape: cannot view " + shape_.str() + " (" +
                                std::to_string(numel_) + " elements) as " + shape.str());
  Tensor t = *this;
  t.shape_ = std::move(shape);
  return t;
}

Tensor Tensor::uninitialized(Shape shape) {
  Tensor t;
  t.numel_ = checked_numel(shape);
  t.shape_ = std::move(shape);
  const size_t bytes = size_t(t.numel_) * sizeof(float);
  if (bytes < kRecycleMinBytes) {
    t.data_ = allocate(t.numel_);
  } else {
    TensorBudget::charge(t.numel_);
    t.data_ = detail::cached_large_buffer(bytes);
  }
  return t;
}

Tensor Tensor::clone() const {
  Tensor t = uninitialized(shape_);
  if (numel_) std::memcpy(t.data(), data(), size_t(numel_) * sizeof(float));
  return t;
}

void Tensor::fill(float value) { std::fill_n(data(), numel_, value); }

void Tensor::copy_from(const Tensor& b) {
  if (b.numel_ != numel_)
    throw std::invalid_argument("Tensor::copy_from: " + b.shape_.str() + " into " + shape_.str());
  if (numel_) std::memcpy(data(), b.data(), size_t(numel_) * sizeof(float));
}

int64_t Tensor::offset(std::initializer_list<int64_t> idx) const {
  assert(idx.size() == shape_.rank());
  int64_t off = 0;
  size_t axis = 0;
  for (int64_t i : idx) {
    assert(i >= 0 && i < shape_[axis]);
    off = off * shape_[axis++] + i;
  }
  return off;
}

std::string to_string(const Tensor& t, int max_values) {
  std::ostringstream os;
  os << "Tensor" << t.shape().str() << " {";
  int64_t n = std::min<int64_t>(t.numel(), max_values);
  for (int64_t i = 0; i < n; ++i) os << (i ? ", " : "") << t[i];
  if (n < t.numel()) os << ", ...";
  os << "}";
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << to_string(t); }
std::ostream& operator<<(std::ostream& os, const Shape& s) { return os << s.str(); }

}  // namespace convnet
