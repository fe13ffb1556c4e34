#include "buffer_cache.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace convnet::detail {
namespace {

struct SmallBlock {
  float* p;
  size_t bytes;
};

// Oldest first: takes search from the newest (still in cache), evictions start at the oldest.
struct SmallCache {
  std::mutex mutex;
  std::vector<SmallBlock> blocks;
  size_t bytes = 0;
};

// Never destroyed: tensors in static storage may be freed after any other static object.
SmallCache& small_cache() {
  static SmallCache* c = new SmallCache;
  return *c;
}

}  // namespace

float* take_cached_buffer(size_t bytes) {
  SmallCache& c = small_cache();
  const std::lock_guard lock(c.mutex);
  for (size_t i = c.blocks.size(); i-- > 0;)
    if (c.blocks[i].bytes == bytes) {
      float* p = c.blocks[i].p;
      c.blocks.erase(c.blocks.begin() + std::ptrdiff_t(i));
      c.bytes -= bytes;
      return p;
    }
  return nullptr;
}

void recycle_buffer(float* p, size_t bytes) {
  if (bytes >= kMaxCachedBufferBytes) return std::free(p);
  SmallCache& c = small_cache();
  std::vector<SmallBlock> evicted;
  {
    const std::lock_guard lock(c.mutex);
    size_t drop = 0, dropped_bytes = 0;
    while (c.bytes - dropped_bytes + bytes > kMaxCachedBytes) dropped_bytes += c.blocks[drop++].bytes;
    evicted.assign(c.blocks.begin(), c.blocks.begin() + std::ptrdiff_t(drop));
    c.blocks.erase(c.blocks.begin(), c.blocks.begin() + std::ptrdiff_t(drop));
    c.bytes -= dropped_bytes;
    c.blocks.push_back({p, bytes});
    c.bytes += bytes;
  }
  for (const SmallBlock& b : evicted) std::free(b.p);
}


namespace {

// Large blocks kept at most: with the two tensors a chain of layers has alive at a time, enough that
// every output of a forward finds a cached block; the memory held between forwards is then at most
// four times the largest activation.
constexpr size_t kMaxLargeCached = 4;

class LargeCache {
 public:
  ~LargeCache() {
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
      if (free_.size() <= kMaxLargeCached) return;
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

LargeCache& large_cache() {
  // Never destroyed: tensors freed during static destruction still find it.
  static LargeCache* c = new LargeCache;
  return *c;
}

}  // namespace

std::shared_ptr<float> cached_large_buffer(size_t bytes) {
  return large_cache().take(bytes);
}

}  // namespace convnet::detail
