#include <cmath>

#include "convnet/io/model_file.h"
#include "convnet/train.h"

namespace convnet {
namespace {

// Accuracies improve upwards, losses downwards.
bool improved(const std::string& monitor, double value, double best, double min_delta) {
  if (std::isnan(value)) return false;
  if (std::isnan(best)) return true;
  const bool higher_is_better = monitor.find("accuracy") != std::string::npos;
  return higher_is_better ? value > best + min_delta : value < best - min_delta;
}

}  // namespace

bool EarlyStopping::on_epoch_end(Model& m, const EpochLog& log) {
  const double v = log.metric(opt_.monitor);
  if (improved(opt_.monitor, v, best_, opt_.min_delta)) {
    best_ = v;
    best_epoch_ = log.epoch;
    wait_ = 0;
    if (opt_.restore_best_weights) {
      best_weights_.clear();
      for (const NamedParam& p : m.params()) best_weights_.push_back(p.param.value->clone());
    }
    return false;
  }
  return ++wait_ >= opt_.patience;
}

void EarlyStopping::on_train_end(Model& m) {
  if (!opt_.restore_best_weights || best_weights_.empty()) return;
  size_t i = 0;
  for (const NamedParam& p : m.params()) p.param.value->copy_from(best_weights_[i++]);
}

bool ModelCheckpoint::on_epoch_end(Model& m, const EpochLog& log) {
  const double v = log.metric(opt_.monitor);
  if (!opt_.save_best_only || improved(opt_.monitor, v, best_, 0.0)) {
    if (!std::isnan(v)) best_ = v;
    io::save_model(m, opt_.path);
  }
  return false;
}

}  // namespace convnet
