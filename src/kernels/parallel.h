// How kernels share the threads of convnet::num_threads(): one small pool, never nested.
//
// parallel_for splits [0, n) into one contiguous piece per thread and runs f(begin, end) on each;
// every item must write its own outputs, so results never depend on the thread count. Work too
// small to pay for waking a thread (fewer than 2 * grain items), or a call made from inside a
// parallel piece, runs on the calling thread.
//
// Why not OpenMP: libgomp's waiting threads spin for about a millisecond before they sleep, which
// on a loaded machine (other processes on the same cores) made a LeNet-5 training step 20x slower
// on two threads than on one. The pool spins for a few microseconds only, then sleeps on a futex.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>

#include "convnet/threads.h"

namespace convnet::kernels {

// True on a thread that is running a piece of a parallel_for.
bool in_parallel();
// Runs piece(i) for i in [0, pieces) on up to `pieces` threads (the caller takes piece 0).
void run_pieces(int pieces, const std::function<void(int)>& piece);

// Threads worth using for `items` independent items of which each thread should get >= grain.
inline int parallel_threads(int64_t items, int64_t grain) {
  if (in_parallel() || items < 2 * grain) return 1;
  return int(std::min<int64_t>(num_threads(), items / grain));
}

// f(begin, end) over contiguous sub-ranges of [0, n), one per thread.
template <typename F>
void parallel_for(int64_t n, int64_t grain, F&& f) {
  const int t = parallel_threads(n, std::max<int64_t>(grain, 1));
  if (t <= 1) {
    if (n > 0) f(int64_t(0), n);
    return;
  }
  run_pieces(t, [&](int i) {
    const int64_t begin = n * i / t, end = n * (i + 1) / t;
    if (begin < end) f(begin, end);
  });
}

}  // namespace convnet::kernels
