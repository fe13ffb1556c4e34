// convnet train: fit a zoo model or a saved model on a data set, checkpointing after every epoch
// into --out; Ctrl-C checkpoints and exits, --resume continues from a checkpoint. --task picks
// what is learnt (tasks.h): classes, reconstructions, denoising, super-resolution, segmentation.
#include <csignal>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/checkpoint.h"
#include "convnet/train.h"
#include "convnet/transfer.h"
#include "convnet/vision/report.h"
#include "tasks.h"

namespace convnet::cli {
namespace {

std::atomic<bool> g_interrupted{false};
extern "C" void on_sigint(int) { g_interrupted = true; }

struct TrainArgs {
  std::string model, data, out = "model.safetensors", history, resume;
  std::string report;  // HTML training report
  std::string optimizer = "adam", schedule, loss, input, freeze_until;
  TaskOptions task;
  int64_t replace_head = 0;
  int64_t per_class = 0, subset = 0;  // learn from a few labelled images per class
  int64_t epochs = 10, batch_size = 64;
  double lr = 1e-3, momentum = 0.9, weight_decay = 0.0, validation_split = 0.0, clip_norm = 0.0;
  double label_smoothing = 0.0;
  uint64_t seed = 1;
  bool quiet = false, flip = false;
  int64_t crop_padding = 0, shift = 0;
};

Config optimizer_config(const TrainArgs& a) {
  Config c;
  c.set("lr", a.lr).set("weight_decay", a.weight_decay);
  if (a.optimizer == "sgd" || a.optimizer == "rmsprop") c.set("momentum", a.momentum);
  return c;
}

// Image folders are decoded at the model's input size: --input, else a model file's own.
ImageFolderOptions image_size(const TrainArgs& a) {
  Shape in;
  if (!a.input.empty()) in = parse_shape(a.input);
  else if (!a.resume.empty()) in = open_model(a.resume)->input_shape();
  else if (!a.model.empty() && is_model_file(a.model)) in = open_model(a.model)->input_shape();
  if (in.rank() != 3) return {};
  return {.channels = in[0], .height = in[1], .width = in[2]};
}

void run_train(const TrainArgs& a) {
  if (a.task.task == "segmentation" && a.data.empty())
    throw std::invalid_argument("--task segmentation needs --data DIR (see convnet make-shapes)");
  TaskData task = prepare_task(a.task, a.data.empty() ? "fashion-mnist" : a.data, image_size(a));
  if (a.per_class > 0) task.data.train = take_per_class(task.data.train, a.per_class, a.subset);
  const DataSplits& data = task.data;
  std::unique_ptr<Model> model;
  Augmentation augmentation = task.corruption;
  augmentation.random_crop_padding = a.crop_padding;
  augmentation.horizontal_flip = a.flip;
  augmentation.max_shift = a.shift;
  FitOptions fit{.epochs = a.epochs, .batch_size = a.batch_size,
                 .validation_split = a.validation_split, .seed = a.seed,
                 .augmentation = augmentation,
                 .clip_grad_norm = a.clip_norm,
                 .verbose = a.quiet ? Verbosity::quiet : Verbosity::automatic,
                 .checkpoint_path = a.out, .stop_requested = &g_interrupted};
  Checkpoint resumed;
  if (!a.resume.empty()) {
    resumed = load_checkpoint(a.resume);
    model = std::move(resumed.model);
  } else {
    model = open_model(a.model.empty() ? task.model : a.model,
                       {.input_shape = data.train.images.shape().without_batch(),
                        .classes = data.train.num_classes(), .seed = a.seed});
    if (a.replace_head > 0) model = replace_head(*model, a.replace_head, a.seed);
    if (a.replace_head > 0 || !a.freeze_until.empty()) freeze_until(*model, a.freeze_until);
  }
  model->compile(make_optimizer(a.optimizer, model->params(), optimizer_config(a)),
                 task_loss(a.loss.empty() ? task.loss : a.loss, a.label_smoothing));
  if (!a.resume.empty()) {
    resumed.restore(*model->optimizer());
    fit.initial_epoch = resumed.state.epoch;
    fit.initial_batch = resumed.state.batch;
    fit.initial_history = resumed.state.history;
  }
  std::unique_ptr<LRSchedule> schedule;
  if (!a.schedule.empty()) {
    schedule = make_schedule(a.schedule);
    fit.lr_schedule = schedule.get();
  }
  std::signal(SIGINT, on_sigint);
  const History history = model->fit(data.train, fit);
  std::signal(SIGINT, SIG_DFL);
  if (!a.history.empty()) history.save(a.history);
  if (g_interrupted) {
    std::cerr << "interrupted: checkpoint saved to " << a.out << " (continue with --resume "
              << a.out << ")\n";
    std::exit(130);
  }
  report_task(*model, a.task, task, a.quiet);
  if (!a.report.empty()) {
    // The confusion matrix and the mistakes need class labels: classification only.
    const bool labelled = a.task.task == "classify" && data.test.size() > 0;
    write_training_report(a.report, history,
                          {.model = model.get(), .test_data = labelled ? &data.test : nullptr});
    if (!a.quiet) std::cout << "report written to " << a.report << "\n";
  }
  if (!a.quiet) std::cout << "model saved to " << a.out << "\n";
}

}  // namespace

void add_train(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a model on a data set");
  auto a = std::make_shared<TrainArgs>();
  cmd->add_option("--task", a->task.task,
                  "classify | autoencoder | denoise | super-resolution | segmentation")
      ->capture_default_str()->check(CLI::IsMember(task_names()));
  cmd->add_option("--model", a->model,
                  "Zoo model name or model file (default: lenet5, autoencoder, "
                  "denoising-autoencoder, srcnn or unet-small, by task)");
  cmd->add_option("--data", a->data,
                  "fashion-mnist (default), mnist, an IDX folder or an image folder; "
                  "segmentation: a folder from convnet make-shapes");
  cmd->add_option("--loss", a->loss,
                  "softmax_cross_entropy (classify, segmentation), mse (the image tasks) or "
                  "binary_crossentropy")
      ->check(CLI::IsMember({"softmax_cross_entropy", "categorical_crossentropy",
                             "binary_crossentropy", "mse"}));
  cmd->add_option("--noise", a->task.noise, "denoise: stddev of the Gaussian noise")
      ->capture_default_str();
  cmd->add_option("--salt-pepper", a->task.salt_pepper,
                  "denoise: fraction of pixels set to black or white");
  cmd->add_option("--scale", a->task.scale, "super-resolution: the up-scaling factor")
      ->capture_default_str()->check(CLI::Range(2, 8));
  cmd->add_option("--input", a->input, "Input shape CxHxW; image folders are resized to it");
  cmd->add_option("--epochs", a->epochs, "Epochs to train")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--batch-size", a->batch_size, "Mini-batch size")->capture_default_str()->check(CLI::PositiveNumber);
  cmd->add_option("--optimizer", a->optimizer, "sgd | adam | adamw | rmsprop")
      ->capture_default_str()->check(CLI::IsMember({"sgd", "adam", "adamw", "rmsprop"}));
  cmd->add_option("--lr", a->lr, "Learning rate")->capture_default_str();
  cmd->add_option("--momentum", a->momentum, "Momentum (sgd, rmsprop)")->capture_default_str();
  cmd->add_option("--weight-decay", a->weight_decay, "Weight decay")->capture_default_str();
  cmd->add_option("--lr-schedule", a->schedule, "e.g. step:5:0.5, exp:0.9, cosine:10, warmup:1,cosine:10");
  cmd->add_option("--clip-norm", a->clip_norm, "Clip the gradient norm to this value (0: off)");
  cmd->add_option("--label-smoothing", a->label_smoothing, "Label smoothing for cross-entropy");
  cmd->add_option("--validation-split", a->validation_split, "Fraction of training data held out")
      ->check(CLI::Range(0.0, 0.9));
  cmd->add_flag("--flip", a->flip, "Augment with random horizontal flips");
  cmd->add_option("--crop-padding", a->crop_padding, "Augment with random crops after padding");
  cmd->add_option("--shift", a->shift, "Augment with random shifts of up to this many pixels");
  cmd->add_option("--seed", a->seed, "Random seed (same seed, same run)")->capture_default_str();
  cmd->add_option("--out", a->out, "Model file, checkpointed after every epoch")->capture_default_str();
  cmd->add_option("--history", a->history, "Write the per-epoch history (.json or .csv)");
  cmd->add_option("--report", a->report, "Write an HTML training report (curves, confusion matrix, ...)");
  cmd->add_option("--resume", a->resume, "Continue from a checkpoint written by --out");
  cmd->add_option("--replace-head", a->replace_head,
                  "Transfer learning: a new last Dense layer with N classes; freezes the layers "
                  "before it unless --freeze-until says otherwise");
  cmd->add_option("--freeze-until", a->freeze_until, "Freeze the layers up to this one (included)");
  cmd->add_option("--per-class", a->per_class,
                  "Train on only N images of every class (a small labelled set)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--subset", a->subset,
                  "With --per-class: which of the disjoint sets of N per class (0, 1, ...)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--quiet", a->quiet, "Print only the final test figures");
  cmd->callback([a] { run_train(*a); });
}

}  // namespace convnet::cli
