// Tensor::uninitialized: the shape asked for, writable everywhere, and large buffers recycled
// (the point of it: inference outputs reuse the pages of outputs freed a moment before).
#include <gtest/gtest.h>

#include "convnet/tensor.h"

namespace convnet {
namespace {

TEST(TensorUninitialized, HasTheShapeAndIsWritable) {
  for (const Shape& s : {Shape{0}, Shape{3, 5}, Shape{2, 1024, 1024}}) {
    Tensor t = Tensor::uninitialized(s);
    EXPECT_EQ(t.shape(), s);
    EXPECT_EQ(t.numel(), s.numel());
    for (float& v : t) v = 2.0f;
    if (t.numel()) {
      EXPECT_EQ(t[t.numel() - 1], 2.0f);
    }
  }
}

TEST(TensorUninitialized, RecyclesLargeBuffers) {
  // 5 MiB, freed, then 4.5 MiB: served from the freed buffer, with its written pages.
  const float* first = nullptr;
  {
    Tensor a = Tensor::uninitialized({5, 256, 1024});
    a[a.numel() - 1] = 7.0f;
    first = a.data();
  }
  const Tensor b = Tensor::uninitialized({9, 128, 1024});
  EXPECT_EQ(b.data(), first);
  // A buffer still in use is never handed out twice.
  const Tensor c = Tensor::uninitialized({9, 128, 1024});
  EXPECT_NE(c.data(), b.data());
}

}  // namespace
}  // namespace convnet
