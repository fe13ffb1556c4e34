#include "buffer_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <vector>

namespace convnet {
namespace {

// Buffers kept at most: with the two tensors a chain of layers has alive at a time, enough that
// every output of a forward finds a cached block; the memory held between forwards is then at most
// four times the largest activation.
constexpr size_t kMaxCached = 4;

class BufferCache {
 public:
  ~BufferCache() {
    for (const Block& b : free_) munmap(b.data, b.bytes);
  }

  // The smallest cached block of at least `bytes` bytes if there is one, else a new one.
  std::shared_ptr<float> take(size_t bytes) {
    Block got{nullptr, 0};
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      size_t best = free_.size();
      for (size_t i = 0; i < free_.size(); ++i)
        if (free_[i].bytes >= bytes && (best == free_.size() || free_[i].bytes < free_[best].bytes))
          best = i;
      if (best < free_.size()) {
        got = free_[best];
        free_.erase(free_.begin() + std::ptrdiff_t(best));
      }
    }
    if (!got.data) {
      void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (p == MAP_FAILED) throw std::bad_alloc();
      got = {static_cast<float*>(p), bytes};
    }
    return std::shared_ptr<float>(got.data, [this, got](float*) { give(got); });
  }

 private:
  struct Block {
    float* data;
    size_t bytes;
  };

  // Keeps b; when the cache is full, the smallest block goes (the large ones are the ones whose
  // fresh pages cost most, and a large block serves a small request too).
  void give(Block b) {
    {
      const std::lock_guard<std::mutex> lock(mutex_);
      free_.push_back(b);
      if (free_.size() <= kMaxCached) return;
      auto smallest =
          std::min_element(free_.begin(), free_.end(),
                           [](const Block& x, const Block& y) { return x.bytes < y.bytes; });
      b = *smallest;
      free_.erase(smallest);
    }
    munmap(b.data, b.bytes);
  }

  std::mutex mutex_;
  std::vector<Block> free_;
};

BufferCache& cache() {
  // Never destroyed: tensors freed during static destruction still find it.
  static BufferCache* c = new BufferCache;
  return *c;
}

}  // namespace

std::shared_ptr<float> cached_buffer(size_t bytes) {
  return cache().take(bytes);
}

}  // namespace convnet
