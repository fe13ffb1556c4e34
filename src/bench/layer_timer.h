// Per-layer wall time for `convnet benchmark --layers`. Models wrap each layer call in a
// LayerTimer; it costs one pointer test unless a benchmark has installed a LayerClock.
#pragma once

#include <chrono>
#include <map>

#include "convnet/layer.h"

namespace convnet::bench {

// Seconds spent in each layer's forward and backward since the clock was installed.
struct LayerClock {
  std::map<const Layer*, double> forward_s, backward_s;
};

// The installed clock, or null (the default). Models run layers on one thread, so one is enough.
inline LayerClock*& active_layer_clock() {
  static LayerClock* clock = nullptr;
  return clock;
}

class LayerTimer {
 public:
  LayerTimer(const Layer& layer, bool backward)
      : clock_(active_layer_clock()), layer_(&layer), backward_(backward) {
    if (clock_) start_ = std::chrono::steady_clock::now();
  }
  ~LayerTimer() {
    if (!clock_) return;
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    (backward_ ? clock_->backward_s : clock_->forward_s)[layer_] += s;
  }
  LayerTimer(const LayerTimer&) = delete;
  LayerTimer& operator=(const LayerTimer&) = delete;

 private:
  LayerClock* clock_;
  const Layer* layer_;
  bool backward_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace convnet::bench
