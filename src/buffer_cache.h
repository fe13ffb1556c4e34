// Recycling of freed tensor buffers, private to Tensor. Two tiers, for two reasons:
//
// Small buffers (below kMaxCachedBufferBytes): a training step allocates the same activations and
// gradients every batch. Handing each freed buffer back to malloc made glibc return the memory to
// the system and fault it in again on the next step (a few hundred page faults per LeNet-5 step).
// A freed buffer is kept for the next tensor of exactly the same byte size, so after the first
// batch a step allocates nothing from the system. Bounded by kMaxCachedBytes, oldest out first.
//
// Large buffers (Tensor::uninitialized from kMaxCachedBufferBytes up): inference allocates each
// layer's output and frees its input a moment later. Buffers of many megabytes come straight from
// the kernel (mmap) and go back when freed, so every layer paid a page fault per 4 KiB page it
// wrote, plus the unmapping: at batch 32 that was a third of MobileNet's inference time. The
// largest few freed blocks are kept and a request gets the smallest one that holds it.
#pragma once

#include <cstddef>
#include <memory>

namespace convnet::detail {

// Small tier: in all, and per buffer.
constexpr size_t kMaxCachedBytes = size_t(32) << 20, kMaxCachedBufferBytes = size_t(4) << 20;

// A cached buffer of exactly `bytes` bytes (64-byte aligned, contents undefined), or nullptr.
float* take_cached_buffer(size_t bytes);
// Keeps p (from std::aligned_alloc, `bytes` bytes) for a later take_cached_buffer, or frees it.
void recycle_buffer(float* p, size_t bytes);

// Large tier: a buffer of at least `bytes` bytes (page-aligned, contents unspecified) that
// returns to the cache when the last owner lets go.
std::shared_ptr<float> cached_large_buffer(size_t bytes);

}  // namespace convnet::detail
