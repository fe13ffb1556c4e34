// Transfer learning, worked through (the lecture: "use a pre-trained encoder, fine-tune the
// decoder"): does a network trained on a large data set help a new task that has only a few
// labelled images?
//
// Source task: Fashion-MNIST, all 60,000 training images, LeNet-5. Target task: printed digits
// (convnet/vision/digits.h, the set `convnet make-digits` writes), learnt from N labelled images
// per class and tested on 2,000 other digits. The source has no digit in it, so whatever the
// pretrained layers bring came from features learnt on clothes.
//
// For each N, LeNet-5 learns the digits from the same few images in three ways:
//   scratch    randomly initialized, every layer trained
//   frozen     the pretrained network with a new 10-way head (replace_head) and its convolutional
//              base, the encoder, frozen (freeze_until "avg_pool2d_1"): the dense layers learn
//   fine-tune  the pretrained network with a new head, nothing frozen: every layer adapts
// All train with Adam (lr 1e-3) for the same number of steps, so more epochs when N is small; the
// step count and the freeze point were chosen on a separate validation set of digits, not on the
// test set. Each figure is the mean over 3 disjoint labelled sets (take_per_class parts 0, 1, 2).
// Every step has a CLI twin (README, "Transfer learning"), with the same images and seeds.
//
//   build/examples/transfer_learning [--sets 3] [--steps 300] [--pretrain-epochs 3]
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>

#include "convnet/data.h"
#include "convnet/optim.h"
#include "convnet/train.h"
#include "convnet/transfer.h"
#include "convnet/vision/digits.h"
#include "convnet/zoo.h"

using namespace convnet;

namespace {

// What `convnet train --epochs E --batch-size B --seed S` does with the model.
void train(Model& model, const Dataset& data, int64_t epochs, int64_t batch, uint64_t seed) {
  model.compile(std::make_unique<Adam>(model.params(), AdamOptions{.lr = 1e-3}),
                std::make_unique<SoftmaxCrossEntropy>());
  model.fit(data, {.epochs = epochs, .batch_size = batch, .seed = seed,
                   .verbose = Verbosity::quiet});
}

int64_t flag(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoll(argv[i + 1]);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t sets = flag(argc, argv, "--sets", 3);
  const int64_t steps = flag(argc, argv, "--steps", 300);
  const int64_t pretrain_epochs = flag(argc, argv, "--pretrain-epochs", 3);
  // 1. Pretrain on the large source data set.
  const DataSplits fashion = load_dataset("fashion-mnist");
  auto pretrained = zoo::lenet5({.classes = 10, .seed = 1});
  train(*pretrained, fashion.train, pretrain_epochs, 64, 1);
  std::cout << std::fixed << std::setprecision(3) << "pretrained on Fashion-MNIST ("
            << fashion.train.size() << " images, " << pretrain_epochs
            << " epochs): test accuracy " << pretrained->evaluate(fashion.test, {}).accuracy
            << "\n";

  // 2. The target task: the same digits as `convnet make-digits digits` writes.
  const Dataset digits = make_digits({.count = 10000, .seed = 1});
  const Dataset test = make_digits({.count = 2000, .seed = 1 + 0x5eed});
  std::cout << "digits: test accuracy on " << test.size() << " images, mean over " << sets
            << " labelled sets, " << steps << " steps of 32 each\n"
            << "  labelled/class   scratch   frozen   fine-tune   gain (frozen)\n";
  for (int64_t per_class : {5, 10, 20, 50}) {
    const int64_t batches = (10 * per_class + 31) / 32, epochs = (steps + batches - 1) / batches;
    double scratch = 0, frozen = 0, fine_tuned = 0;
    for (int64_t part = 0; part < sets; ++part) {
      const Dataset labelled = take_per_class(digits, per_class, part);
      const auto seed = uint64_t(1 + part);  // initialization, new head and shuffling
      auto a = zoo::lenet5({.classes = 10, .seed = seed});
      train(*a, labelled, epochs, 32, seed);
      scratch += a->evaluate(test, {}).accuracy / double(sets);

      auto b = replace_head(*pretrained, 10, seed);  // a fresh classifier for the ten digits
      freeze_until(*b, "avg_pool2d_1");               // the encoder keeps its Fashion-MNIST weights
      train(*b, labelled, epochs, 32, seed);
      frozen += b->evaluate(test, {}).accuracy / double(sets);

      auto c = replace_head(*pretrained, 10, seed);  // nothing frozen: every layer adapts
      train(*c, labelled, epochs, 32, seed);
      fine_tuned += c->evaluate(test, {}).accuracy / double(sets);
    }
    std::cout << "  " << std::setw(14) << per_class << "   " << scratch << "     " << frozen
              << "    " << fine_tuned << "       " << std::showpos << std::setprecision(1)
              << 100.0 * (frozen - scratch) << " points" << std::noshowpos
              << std::setprecision(3) << "\n";
  }
  return 0;
}
