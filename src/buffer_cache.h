// BufferCache: large float buffers kept after their tensor is freed, to be handed out again.
//
// Inference allocates each layer's output and frees its input a moment later. Buffers of many
// megabytes come straight from the kernel (mmap) and go back to it when freed, so every layer
// of every forward paid a page fault per 4 KiB page it wrote, plus the unmapping: at batch 32 these
// took a third of MobileNet's inference time. The cache keeps the largest few freed buffers and
// serves a request with the smallest one that holds it. Private to the library (Tensor::
// uninitialized uses it).
#pragma once

#include <cstddef>
#include <memory>

namespace convnet {

// A buffer of at least `bytes` bytes (page-aligned, contents unspecified) that returns to the
// cache when the last owner lets go.
std::shared_ptr<float> cached_buffer(size_t bytes);

}  // namespace convnet
