// Training, evaluation and prediction (Keras' compile / fit / evaluate / predict).
//
//   auto model = zoo::lenet5();
//   model->compile(std::make_unique<Adam>(model->params(), AdamOptions{.lr = 1e-3}),
//                  std::make_unique<SoftmaxCrossEntropy>());
//   History h = model->fit(data.train, {.epochs = 10, .batch_size = 64, .validation_split = 0.1});
//   Evaluation e = model->evaluate(data.test);
//
// A model whose last layer is a softmax trained with a cross-entropy loss gets the fused, stable
// gradient (p - t) / N for the softmax's input (Layer::ends_in_softmax).
#pragma once

#include <atomic>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "convnet/data.h"
#include "convnet/loss.h"
#include "convnet/model.h"
#include "convnet/optim/optimizer.h"
#include "convnet/optim/schedule.h"

namespace convnet {

constexpr double kNotMeasured = std::numeric_limits<double>::quiet_NaN();

// One line of the history: what an epoch achieved (val_* NaN without validation data).
struct EpochLog {
  int64_t epoch = 0;  // 1-based
  double loss = kNotMeasured, accuracy = kNotMeasured;
  double val_loss = kNotMeasured, val_accuracy = kNotMeasured;
  double lr = 0.0, seconds = 0.0, images_per_s = 0.0;
  // The value of "loss", "accuracy", "val_loss" or "val_accuracy"; throws for other names.
  double metric(const std::string& name) const;
};

struct History {
  std::vector<EpochLog> epochs;
  std::string to_json() const;
  std::string to_csv() const;
  static History from_json(const std::string& json);
  // JSON, or CSV when the path ends in ".csv"; written atomically.
  void save(const std::string& path) const;
};

enum class Verbosity {
  automatic,  // a progress bar on a terminal, one line per epoch otherwise
  bar,
  lines,
  quiet,
};

class Callback {
 public:
  virtual ~Callback() = default;
  // Called after every epoch with its log; return true to stop training.
  virtual bool on_epoch_end(Model&, const EpochLog&) { return false; }
  virtual void on_train_end(Model&) {}
};

struct EarlyStoppingOptions {
  std::string monitor = "val_loss";  // lower is better for losses, higher for accuracies
  double min_delta = 0.0;            // smallest change that counts as an improvement
  int64_t patience = 3;              // epochs without improvement before stopping
  bool restore_best_weights = true;  // put the best epoch's weights back at the end
};
class EarlyStopping : public Callback {
 public:
  explicit EarlyStopping(EarlyStoppingOptions o = {}) : opt_(std::move(o)) {}
  bool on_epoch_end(Model& m, const EpochLog& log) override;
  void on_train_end(Model& m) override;
  int64_t best_epoch() const { return best_epoch_; }

 private:
  EarlyStoppingOptions opt_;
  double best_ = kNotMeasured;
  int64_t best_epoch_ = 0, wait_ = 0;
  std::vector<Tensor> best_weights_;
};

struct ModelCheckpointOptions {
  std::string path;                  // model file written (atomically) when the monitor improves
  std::string monitor = "val_loss";
  bool save_best_only = true;        // false: write after every epoch
};
class ModelCheckpoint : public Callback {
 public:
  explicit ModelCheckpoint(ModelCheckpointOptions o) : opt_(std::move(o)) {}
  bool on_epoch_end(Model& m, const EpochLog& log) override;

 private:
  ModelCheckpointOptions opt_;
  double best_ = kNotMeasured;
};

struct FitOptions {
  int64_t epochs = 1;
  int64_t batch_size = 32;
  const Dataset* validation_data = nullptr;  // evaluated after every epoch
  double validation_split = 0.0;             // else: hold out this fraction of the training data
  bool shuffle = true;
  uint64_t seed = 0;                         // shuffling, augmentation and the validation split
  Augmentation augmentation = {};
  const LRSchedule* lr_schedule = nullptr;   // lr as a function of the (fractional) epoch
  double clip_grad_norm = 0.0;               // > 0: clip the global gradient norm
  std::vector<Callback*> callbacks = {};
  Verbosity verbose = Verbosity::automatic;
  // Written atomically after every epoch and when stop_requested is set, with the optimizer state
  // and the position in training, so that fit can resume from it (initial_epoch/batch).
  std::string checkpoint_path = {};
  const std::atomic<bool>* stop_requested = nullptr;  // e.g. set by a SIGINT handler
  // Resume: the epoch (0-based) and batch within it to start from, and the history so far.
  int64_t initial_epoch = 0, initial_batch = 0;
  History initial_history = {};
};

struct ClassMetrics {
  double precision = 0, recall = 0, f1 = 0;
  int64_t support = 0;
};

struct Evaluation {
  double loss = kNotMeasured, accuracy = kNotMeasured, top_k_accuracy = kNotMeasured;
  int64_t top_k = 5;
  std::vector<std::string> class_names;
  std::vector<ClassMetrics> per_class;
  std::vector<std::vector<int64_t>> confusion_matrix;  // [true class][predicted class]
  std::string to_table() const;
  std::string to_json() const;
};

struct EvaluateOptions {
  int64_t batch_size = 256;
  int64_t top_k = 5;
};

}  // namespace convnet
