// Model::compile and Model::fit: the training loop.
#include <cmath>
#include <stdexcept>

#include "convnet/checkpoint.h"
#include "convnet/train.h"
#include "train/progress.h"
#include "train/step.h"

namespace convnet {

Model::Model() = default;
Model::~Model() = default;

void Model::compile(std::unique_ptr<Optimizer> optimizer, std::unique_ptr<Loss> loss) {
  if (!optimizer || !loss) throw std::invalid_argument(name_ + ": compile needs an optimizer and a loss");
  optimizer_ = std::move(optimizer);
  loss_ = std::move(loss);
}

History Model::fit(const Dataset& train_data, const FitOptions& o) {
  if (!optimizer_ || !loss_) throw std::logic_error(name_ + ": call compile() before fit()");
  if (o.epochs < 1 || o.batch_size < 1) throw std::invalid_argument("fit: epochs and batch_size must be >= 1");
  if (train_data.size() == 0) throw std::invalid_argument("fit: the training set is empty");

  // The validation set: given, or a seeded split of the training data.
  Dataset train = train_data, held_out;
  const Dataset* validation = o.validation_data;
  if (!validation && o.validation_split > 0.0) {
    std::tie(train, held_out) = train_val_split(train_data, o.validation_split, o.seed);
    validation = &held_out;
  }
  DataLoader loader(train, {.batch_size = o.batch_size, .shuffle = o.shuffle, .seed = o.seed,
                            .augmentation = o.augmentation});
  const int64_t batches = loader.batches_per_epoch();
  Progress progress(o.verbose, o.epochs, batches);
  TrainingState state{.epoch = o.initial_epoch, .batch = o.initial_batch,
                      .base_lr = optimizer_->lr(), .history = o.initial_history,
                      .class_names = train_data.class_names};
  auto checkpoint = [&] {
    if (!o.checkpoint_path.empty()) save_checkpoint(o.checkpoint_path, *this, *optimizer_, state);
  };

  Batch batch;
  for (int64_t epoch = o.initial_epoch; epoch < o.epochs; ++epoch) {
    loader.start_epoch(epoch);
    progress.start_epoch(epoch + 1);
    const int64_t skip = epoch == o.initial_epoch ? o.initial_batch : 0;
    for (int64_t b = 0; b < skip && loader.next(batch); ++b) {
    }
    StepTotals totals;
    const auto t0 = std::chrono::steady_clock::now();
    for (int64_t b = skip; loader.next(batch); ++b) {
      if (o.stop_requested && o.stop_requested->load()) {
        state.epoch = epoch;
        state.batch = b;
        checkpoint();
        return state.history;
      }
      if (o.lr_schedule)
        optimizer_->set_lr(o.lr_schedule->lr(double(epoch) + double(b) / double(batches), state.base_lr));
      const StepResult r = train_step(*this, *loss_, *optimizer_, batch, o.clip_grad_norm);
      if (!std::isfinite(r.loss))
        throw std::runtime_error("training stopped: the loss became " + std::to_string(r.loss) +
                                 " at epoch " + std::to_string(epoch + 1) + ", batch " +
                                 std::to_string(b + 1) +
                                 (o.checkpoint_path.empty() ? std::string()
                                                            : "; the last good checkpoint is " + o.checkpoint_path) +
                                 " (try a lower learning rate or gradient clipping)");
      totals.add(r, batch.images.dim(0));
      progress.batch_done(b, totals.images, totals.mean_loss(), totals.accuracy());
    }
    EpochLog log;
    log.epoch = epoch + 1;
    log.loss = totals.mean_loss();
    log.accuracy = totals.accuracy();
    log.lr = optimizer_->lr();
    log.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    log.images_per_s = log.seconds > 0 ? double(totals.images) / log.seconds : 0.0;
    if (validation && validation->size() > 0) {
      const Evaluation e = evaluate(*validation, {.batch_size = 256, .top_k = 1});
      log.val_loss = e.loss;
      log.val_accuracy = e.accuracy;
    }
    state.history.epochs.push_back(log);
    state.epoch = epoch + 1;
    state.batch = 0;
    progress.epoch_done(log);
    checkpoint();
    bool stop = false;
    for (Callback* c : o.callbacks) stop |= c->on_epoch_end(*this, log);
    if (stop) break;
  }
  for (Callback* c : o.callbacks) c->on_train_end(*this);
  return state.history;
}

}  // namespace convnet
