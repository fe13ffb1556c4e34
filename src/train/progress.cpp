#include "train/progress.h"

#include <unistd.h>

#include <cmath>
#include <string>

namespace convnet {
namespace {

std::string clock_text(double seconds) {
  const int64_t s = int64_t(std::lround(std::max(seconds, 0.0)));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld:%02lld", (long long)(s / 60), (long long)(s % 60));
  return buf;
}

}  // namespace

Progress::Progress(Verbosity v, int64_t epochs, int64_t batches_per_epoch, std::FILE* out)
    : epochs_(epochs), batches_(batches_per_epoch), out_(out) {
  quiet_ = v == Verbosity::quiet;
  bar_ = v == Verbosity::bar || (v == Verbosity::automatic && isatty(fileno(out)));
}

void Progress::start_epoch(int64_t epoch) {
  epoch_ = epoch;
  start_ = last_draw_ = Clock::now();
}

void Progress::batch_done(int64_t batch, int64_t images, double loss, double accuracy) {
  if (quiet_ || !bar_) return;
  const auto now = Clock::now();
  // Redrawing costs a write per batch; ten times a second is enough for the eye.
  if (batch + 1 < batches_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double done = double(batch + 1) / double(batches_);
  const int width = 24, filled = int(done * width);
  std::string bar(size_t(filled), '=');
  if (filled < width) bar += '>' + std::string(size_t(width - filled - 1), ' ');
  std::fprintf(out_, "\rEpoch %lld/%lld [%s] %lld/%lld ETA %s %.0f img/s loss %.4f ",
               (long long)epoch_, (long long)epochs_, bar.c_str(), (long long)(batch + 1),
               (long long)batches_, clock_text(elapsed / done - elapsed).c_str(),
               elapsed > 0 ? double(images) / elapsed : 0.0, loss);
  // Models that output images (autoencoders, segmentation) have no accuracy to show.
  if (!std::isnan(accuracy)) std::fprintf(out_, "acc %.4f ", accuracy);
  std::fflush(out_);
}

void Progress::epoch_done(const EpochLog& log) {
  if (quiet_) return;
  if (bar_) std::fputc('\n', out_);
  std::fprintf(out_, "Epoch %lld/%lld - %.1fs - %.0f img/s - loss %.4f", (long long)log.epoch,
               (long long)epochs_, log.seconds, log.images_per_s, log.loss);
  if (!std::isnan(log.accuracy)) std::fprintf(out_, " - accuracy %.4f", log.accuracy);
  if (!std::isnan(log.val_loss)) std::fprintf(out_, " - val_loss %.4f", log.val_loss);
  if (!std::isnan(log.val_accuracy)) std::fprintf(out_, " - val_accuracy %.4f", log.val_accuracy);
  std::fprintf(out_, " - lr %.3g\n", log.lr);
  std::fflush(out_);
}

}  // namespace convnet
