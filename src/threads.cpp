#include "convnet/threads.h"

#include <cblas.h>
#include <sched.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace convnet {
namespace {

int initial_threads() {
  // OpenBLAS runs single-threaded inside our parallel regions (see kernels/gemm.cpp).
  openblas_set_num_threads(1);
  if (const char* env = std::getenv("CONVNET_NUM_THREADS")) {
    char* end = nullptr;
    const long n = std::strtol(env, &end, 10);
    if (end == env || *end != '\0' || n < 1 || n > 4096)
      throw std::invalid_argument("CONVNET_NUM_THREADS='" + std::string(env) +
                                  "': expected a whole number >= 1");
    return int(n);
  }
  cpu_set_t cpus;
  if (sched_getaffinity(0, sizeof cpus, &cpus) == 0) return std::max(1, CPU_COUNT(&cpus));
  return 1;
}

int& thread_count() {
  static int n = initial_threads();
  return n;
}

}  // namespace

void set_num_threads(int threads) {
  if (threads < 1)
    throw std::invalid_argument("set_num_threads: expected >= 1 thread, got " +
                                std::to_string(threads));
  thread_count() = threads;
}

int num_threads() { return thread_count(); }

}  // namespace convnet
