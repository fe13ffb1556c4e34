// Model::fit / evaluate / predict: learning works, runs are reproducible, checkpoints resume
// exactly, and a NaN loss stops training without touching the last good checkpoint.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>

#include "convnet/checkpoint.h"
#include "convnet/io/model_file.h"
#include "convnet/layers.h"
#include "convnet/optim.h"
#include "convnet/sequential.h"
#include "convnet/train.h"
#include "convnet/zoo.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using testing::TempDir;

const DataSplits& fashion() {
  static const DataSplits d = load_dataset("fashion-mnist");
  return d;
}

Dataset first(const Dataset& d, int64_t n) {
  std::vector<int64_t> idx(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) idx[size_t(i)] = i;
  return d.subset(idx);
}

// Ends in a softmax unless `logits`; then cross-entropy goes through Loss::forward each batch.
std::unique_ptr<Sequential> small_cnn(uint64_t seed, bool logits = false) {
  auto m = std::make_unique<Sequential>(Shape{1, 28, 28}, SequentialOptions{.seed = seed});
  m->add(Conv2D({.filters = 8, .kernel = 3, .stride = 2, .activation = Activation::relu}));
  m->add(MaxPool2D());
  m->add(Flatten());
  m->add(Dense({.units = 32, .activation = Activation::relu}));
  m->add(Dense({.units = 10, .activation = logits ? Activation::linear : Activation::softmax}));
  return m;
}

void compile_adam(Model& m, double lr = 1e-3) {
  m.compile(std::make_unique<Adam>(m.params(), AdamOptions{.lr = lr}),
            std::make_unique<SoftmaxCrossEntropy>());
}

std::vector<Tensor> weights(Model& m) {
  std::vector<Tensor> w;
  for (const NamedParam& p : m.params()) w.push_back(p.param.value->clone());
  return w;
}

void expect_identical(const std::vector<Tensor>& a, const std::vector<Tensor>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t k = 0; k < a.size(); ++k)
    for (int64_t i = 0; i < a[k].numel(); ++i)
      ASSERT_EQ(a[k][i], b[k][i]) << "tensor " << k << " element " << i;
}

TEST(Fit, OverfitsSixtyFourSamples) {
  const Dataset tiny = first(fashion().train, 64);
  auto m = small_cnn(1);
  compile_adam(*m, 3e-3);
  const History h = m->fit(tiny, {.epochs = 60, .batch_size = 16, .seed = 2,
                                  .verbose = Verbosity::quiet});
  EXPECT_LT(h.epochs.back().loss, h.epochs.front().loss / 10);
  EXPECT_EQ(m->evaluate(tiny, {}).accuracy, 1.0);
}

TEST(Fit, LossFallsOnARealBatch) {
  const Dataset batch = first(fashion().train, 256);
  auto m = zoo::lenet5({.seed = 3});
  compile_adam(*m);
  const double before = m->evaluate(batch, {}).loss;
  m->fit(batch, {.epochs = 3, .batch_size = 64, .verbose = Verbosity::quiet});
  const double after = m->evaluate(batch, {}).loss;
  EXPECT_LT(after, before * 0.8) << "before " << before << " after " << after;
}

TEST(Fit, SameSeedSameWeightsAndValidationIsMeasured) {
  const Dataset d = first(fashion().train, 300);
  std::vector<std::vector<Tensor>> runs;
  for (int r = 0; r < 2; ++r) {
    auto m = small_cnn(5);
    compile_adam(*m);
    const History h = m->fit(d, {.epochs = 2, .batch_size = 32, .validation_split = 0.2,
                                 .seed = 9, .augmentation = {.horizontal_flip = true},
                                 .verbose = Verbosity::quiet});
    ASSERT_EQ(h.epochs.size(), 2u);
    EXPECT_FALSE(std::isnan(h.epochs[1].val_loss));
    EXPECT_GE(h.epochs[1].val_accuracy, 0.0);
    runs.push_back(weights(*m));
  }
  expect_identical(runs[0], runs[1]);
}

// Two epochs in one go, or one epoch, a checkpoint, and one more from the checkpoint.
TEST(Fit, ResumeFromCheckpointEqualsUninterruptedRun) {
  TempDir dir;
  const Dataset d = first(fashion().train, 320);
  auto whole = small_cnn(4);
  compile_adam(*whole);
  whole->fit(d, {.epochs = 2, .batch_size = 32, .seed = 6, .verbose = Verbosity::quiet});

  auto part = small_cnn(4);
  compile_adam(*part);
  const std::string ckpt = dir.file("ckpt.safetensors");
  part->fit(d, {.epochs = 1, .batch_size = 32, .seed = 6, .verbose = Verbosity::quiet,
                .checkpoint_path = ckpt});
  Checkpoint c = load_checkpoint(ckpt);
  EXPECT_EQ(c.state.epoch, 1);
  EXPECT_EQ(c.state.history.epochs.size(), 1u);
  EXPECT_EQ(c.state.class_names, d.class_names);
  EXPECT_EQ(c.state.class_names.at(9), "Ankle boot");
  compile_adam(*c.model);
  c.restore(*c.model->optimizer());
  const History h = c.model->fit(d, {.epochs = 2, .batch_size = 32, .seed = 6,
                                     .verbose = Verbosity::quiet, .initial_epoch = c.state.epoch,
                                     .initial_history = c.state.history});
  EXPECT_EQ(h.epochs.size(), 2u);
  expect_identical(weights(*whole), weights(*c.model));
}

// A loss that raises the stop flag after a number of batches, as Ctrl-C would.
class InterruptingLoss : public SoftmaxCrossEntropy {
 public:
  InterruptingLoss(std::atomic<bool>& flag, int after) : flag_(flag), after_(after) {}
  double forward(const Tensor& y, const Tensor& t) override {
    if (++calls_ == after_) flag_ = true;
    return SoftmaxCrossEntropy::forward(y, t);
  }

 private:
  std::atomic<bool>& flag_;
  int after_, calls_ = 0;
};

TEST(Fit, InterruptCheckpointsMidEpochAndResumesExactly) {
  TempDir dir;
  const Dataset d = first(fashion().train, 320);  // 10 batches per epoch
  const FitOptions base{.epochs = 2, .batch_size = 32, .seed = 1, .verbose = Verbosity::quiet};
  auto whole = small_cnn(8, true);
  compile_adam(*whole);
  whole->fit(d, base);

  // The flag rises during batch 3 of epoch 2 (the 13th forward); fit finishes that batch, then
  // checkpoints at batch 3 and returns.
  std::atomic<bool> stop{false};
  auto part = small_cnn(8, true);
  part->compile(std::make_unique<Adam>(part->params(), AdamOptions{}),
                std::make_unique<InterruptingLoss>(stop, 13));
  FitOptions o = base;
  o.checkpoint_path = dir.file("ckpt.safetensors");
  o.stop_requested = &stop;
  EXPECT_EQ(part->fit(d, o).epochs.size(), 1u);

  Checkpoint c = load_checkpoint(o.checkpoint_path);
  EXPECT_EQ(c.state.epoch, 1);
  EXPECT_EQ(c.state.batch, 3);
  compile_adam(*c.model);
  c.restore(*c.model->optimizer());
  FitOptions resume = base;
  resume.initial_epoch = c.state.epoch;
  resume.initial_batch = c.state.batch;
  resume.initial_history = c.state.history;
  c.model->fit(d, resume);
  expect_identical(weights(*whole), weights(*c.model));
}

TEST(Fit, NanLossStopsAndKeepsTheLastGoodCheckpoint) {
  TempDir dir;
  const Dataset d = first(fashion().train, 128);
  auto m = small_cnn(2, true);
  compile_adam(*m);
  const std::string ckpt = dir.file("ckpt.safetensors");
  m->fit(d, {.epochs = 1, .batch_size = 32, .verbose = Verbosity::quiet, .checkpoint_path = ckpt});
  const std::vector<Tensor> good = weights(*m);
  // Poison one weight: the next forward gives NaN logits and a NaN loss.
  (*m->params()[0].param.value)[0] = std::nanf("");
  try {
    m->fit(d, {.epochs = 2, .batch_size = 32, .verbose = Verbosity::quiet,
               .checkpoint_path = ckpt, .initial_epoch = 1});
    FAIL() << "training went on with a NaN loss";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("nan"), std::string::npos) << what;
    EXPECT_NE(what.find(ckpt), std::string::npos) << what;
  }
  auto saved = io::load_model(ckpt);
  expect_identical(weights(*saved.model), good);
}

TEST(Evaluate, ConfusionMatrixAndPerClassMetrics) {
  // A fixed "model": Dense with identity weights on one-hot inputs predicts the input's class.
  Sequential m({3});
  auto& dense = m.add(Dense({.units = 3, .use_bias = false}));
  dense.weight().copy_from(Tensor::from({3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1}));
  Dataset d;
  // Inputs point at classes 0, 0, 1, 2, 2; labels are 0, 1, 1, 2, 0.
  d.images = Tensor::from({5, 3}, {1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1});
  d.labels = {0, 1, 1, 2, 0};
  const Evaluation e = m.evaluate(d, {.top_k = 2});
  EXPECT_DOUBLE_EQ(e.accuracy, 3.0 / 5.0);
  const std::vector<std::vector<int64_t>> want{{1, 0, 1}, {1, 1, 0}, {0, 0, 1}};
  EXPECT_EQ(e.confusion_matrix, want);
  EXPECT_DOUBLE_EQ(e.per_class[0].precision, 0.5);
  EXPECT_DOUBLE_EQ(e.per_class[0].recall, 0.5);
  EXPECT_DOUBLE_EQ(e.per_class[1].precision, 1.0);
  EXPECT_DOUBLE_EQ(e.per_class[1].recall, 0.5);
  EXPECT_DOUBLE_EQ(e.per_class[2].precision, 0.5);
  EXPECT_DOUBLE_EQ(e.per_class[2].f1, 2 * 0.5 * 1.0 / 1.5);
  EXPECT_NE(e.to_json().find("\"confusion_matrix\""), std::string::npos);
  EXPECT_NE(e.to_table().find("precision"), std::string::npos);
}

TEST(History, JsonAndCsvRoundTrip) {
  TempDir dir;
  History h;
  h.epochs.push_back({.epoch = 1, .loss = 0.5, .accuracy = 0.8, .lr = 1e-3, .seconds = 2});
  h.epochs.push_back({.epoch = 2, .loss = 0.25, .accuracy = 0.9, .val_loss = 0.3,
                      .val_accuracy = 0.85, .lr = 5e-4, .seconds = 2});
  const History back = History::from_json(h.to_json());
  ASSERT_EQ(back.epochs.size(), 2u);
  EXPECT_TRUE(std::isnan(back.epochs[0].val_loss));
  EXPECT_DOUBLE_EQ(back.epochs[1].val_accuracy, 0.85);
  h.save(dir.file("h.csv"));
  const std::string csv = testing::read_bytes(dir.file("h.csv"));
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "epoch,loss,accuracy,val_loss,val_accuracy,lr,seconds,images_per_s");
}

TEST(Callbacks, EarlyStoppingRestoresTheBestWeights) {
  Sequential m({2});
  m.add(Dense({.units = 1}));
  EarlyStopping stop({.monitor = "val_loss", .patience = 2});
  const std::vector<double> losses{1.0, 0.5, 0.7, 0.6, 0.4};
  int64_t stopped_at = 0;
  std::vector<Tensor> best;
  for (size_t e = 0; e < losses.size(); ++e) {
    (*m.params()[0].param.value)[0] = float(e);
    if (e == 1) best = weights(m);
    if (stop.on_epoch_end(m, {.epoch = int64_t(e + 1), .val_loss = losses[e]})) {
      stopped_at = int64_t(e + 1);
      break;
    }
  }
  EXPECT_EQ(stopped_at, 4);  // epochs 3 and 4 did not beat epoch 2
  stop.on_train_end(m);
  expect_identical(weights(m), best);
}

}  // namespace
}  // namespace convnet
