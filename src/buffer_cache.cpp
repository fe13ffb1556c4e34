#include "buffer_cache.h"

#include <cstdlib>
#include <mutex>
#include <vector>

namespace convnet::detail {
namespace {

struct Block {
  float* p;
  size_t bytes;
};

// Oldest first: takes search from the newest (still in cache), evictions start at the oldest.
struct Cache {
  std::mutex mutex;
  std::vector<Block> blocks;
  size_t bytes = 0;
};

// Never destroyed: tensors in static storage may be freed after any other static object.
Cache& cache() {
  static Cache* c = new Cache;
  return *c;
}

}  // namespace

float* take_cached_buffer(size_t bytes) {
  Cache& c = cache();
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
  Cache& c = cache();
  std::vector<Block> evicted;
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
  for (const Block& b : evicted) std::free(b.p);
}

}  // namespace convnet::detail
