// Progress of one training run: a bar redrawn in place on a terminal (ETA, images/s, running loss
// and accuracy), one plain line per epoch otherwise, nothing when quiet.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

#include "convnet/train.h"

namespace convnet {

class Progress {
 public:
  Progress(Verbosity v, int64_t epochs, int64_t batches_per_epoch, std::FILE* out = stderr);
  void start_epoch(int64_t epoch);
  // After each batch: images so far this epoch, running mean loss and accuracy.
  void batch_done(int64_t batch, int64_t images, double loss, double accuracy);
  void epoch_done(const EpochLog& log);

 private:
  using Clock = std::chrono::steady_clock;
  bool bar_ = false, quiet_ = false;
  int64_t epochs_, batches_, epoch_ = 0;
  std::FILE* out_;
  Clock::time_point start_, last_draw_;
};

}  // namespace convnet
