// Recycling of freed tensor buffers, private to Tensor.
//
// A training step allocates the same activations and gradients every batch. Handing each freed
// buffer back to malloc made glibc return the memory to the system and fault it in again on the
// next step (a few hundred page faults per LeNet-5 step). Instead, a freed buffer is kept for the
// next tensor of exactly the same byte size: after the first batch a step allocates nothing from
// the system. The cache is bounded (kMaxCachedBytes; the oldest buffers go first) and holds only
// buffers below Tensor's zero-page size, so inference's large activations still go back at once.
#pragma once

#include <cstddef>

namespace convnet::detail {

// In all, and per buffer (Tensor takes larger zero tensors from the kernel's zero pages instead).
constexpr size_t kMaxCachedBytes = size_t(32) << 20, kMaxCachedBufferBytes = size_t(4) << 20;

// A cached buffer of exactly `bytes` bytes (64-byte aligned, contents undefined), or nullptr.
float* take_cached_buffer(size_t bytes);
// Keeps p (from std::aligned_alloc, `bytes` bytes) for a later take_cached_buffer, or frees it.
void recycle_buffer(float* p, size_t bytes);

}  // namespace convnet::detail
