// Threads: how many cores convnet's kernels use.
//
// One threading layer (a small pool, src/kernels/thread_pool.cpp) runs every parallel kernel; OpenBLAS is kept on one thread and called
// from inside it, so the two never oversubscribe the cores. The count starts at the environment
// variable CONVNET_NUM_THREADS when set, else at the number of cores the process may run on.
// Kernels split work only where the split is independent of the thread count, so results with 1
// and with N threads are bit-identical.
#pragma once

namespace convnet {

// Sets the number of threads used by later calls (>= 1; throws std::invalid_argument otherwise).
void set_num_threads(int threads);
int num_threads();

}  // namespace convnet
