// Training checkpoints: a model file (io/model_file.h) that also holds the optimizer's state and
// the position in training, so that fit() resumes exactly where it stopped.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "convnet/train.h"

namespace convnet {

struct TrainingState {
  int64_t epoch = 0;  // epochs completed (0-based index of the epoch to run next)
  int64_t batch = 0;  // batches of that epoch already done (non-zero after an interrupt)
  double base_lr = 0.0;
  History history;
  std::vector<std::string> class_names;  // of the training data, for predictions by name
};

// Atomic (temporary file + rename): a crash never leaves a half-written checkpoint behind.
void save_checkpoint(const std::string& path, Model& model, Optimizer& optimizer,
                     const TrainingState& state);

struct Checkpoint {
  std::unique_ptr<Model> model;
  TrainingState state;
  std::string optimizer_type;  // empty for a plain model file
  Config optimizer_config;
  std::map<std::string, Tensor> optimizer_state;
  // Copies the saved state into an optimizer built over this checkpoint's model parameters;
  // throws when a slot is missing or has another shape.
  void restore(Optimizer& optimizer) const;
};

Checkpoint load_checkpoint(const std::string& path);

// The class names a model file was trained with (empty when it holds none).
std::vector<std::string> class_names_of(const std::map<std::string, std::string>& metadata);

}  // namespace convnet
