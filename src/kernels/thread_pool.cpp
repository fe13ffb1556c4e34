// The pool behind parallel_for: num_threads() - 1 workers that spin briefly, then sleep on a
// futex (std::atomic::wait) until the next batch of pieces.
#include <algorithm>
#include <atomic>
#include <immintrin.h>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "kernels/parallel.h"

namespace convnet::kernels {
namespace {

thread_local bool t_in_parallel = false;

// About 10 microseconds of polling before a thread sleeps: long enough to catch back-to-back
// kernels of one training step, short enough to cost nothing when the cores are shared.
constexpr int kSpins = 4000;

template <typename T>
void wait_while_equal(const std::atomic<T>& a, T old) {
  for (int i = 0; i < kSpins; ++i) {
    if (a.load(std::memory_order_acquire) != old) return;
    _mm_pause();
  }
  while (a.load(std::memory_order_acquire) == old) a.wait(old, std::memory_order_acquire);
}

class Pool {
 public:
  explicit Pool(int workers) {
    for (int i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
  }
  ~Pool() {
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& t : threads_) t.join();
  }
  int workers() const { return int(threads_.size()); }

  void run(int pieces, const std::function<void(int)>& piece) {
    piece_ = &piece;
    pieces_.store(pieces, std::memory_order_relaxed);
    pending_.store(pieces - 1, std::memory_order_relaxed);
    // Release: a worker that takes a piece number also sees piece_, pieces_ and pending_.
    next_.store(1, std::memory_order_release);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    t_in_parallel = true;
    piece(0);
    take_pieces();
    t_in_parallel = false;
    for (int left; (left = pending_.load(std::memory_order_acquire)) != 0;)
      wait_while_equal(pending_, left);
  }

 private:
  void work() {
    t_in_parallel = true;
    uint32_t seen = 0;
    for (;;) {
      wait_while_equal(generation_, seen);
      seen = generation_.load(std::memory_order_acquire);
      if (stop_) return;
      take_pieces();
    }
  }
  void take_pieces() {
    for (;;) {
      const int i = next_.fetch_add(1, std::memory_order_acq_rel);
      if (i >= pieces_.load(std::memory_order_relaxed)) return;
      (*piece_)(i);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_all();
    }
  }

  std::vector<std::thread> threads_;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int> next_{0}, pending_{0};
  const std::function<void(int)>* piece_ = nullptr;
  std::atomic<int> pieces_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace

bool in_parallel() { return t_in_parallel; }

void run_pieces(int pieces, const std::function<void(int)>& piece) {
  static std::unique_ptr<Pool> pool;
  static std::mutex mutex;  // one parallel_for at a time from outside the pool
  if (pieces <= 1 || t_in_parallel) {
    for (int i = 0; i < pieces; ++i) piece(i);
    return;
  }
  const std::lock_guard lock(mutex);
  const int workers = std::max(num_threads(), pieces) - 1;
  if (!pool || pool->workers() != workers) pool = std::make_unique<Pool>(workers);
  pool->run(pieces, piece);
}

}  // namespace convnet::kernels
