// Transfer learning, worked through: does a network trained on one task help another task that
// has only a few labelled images? (The protocol of Yosinski et al. 2014, "How transferable are
// features in deep neural networks?", which splits ImageNet's classes in two halves.)
//
// Source task: the first five Fashion-MNIST classes (T-shirt/top, Trouser, Pullover, Dress, Coat),
// all 30,000 training images. Target task: the other five (Sandal, Shirt, Sneaker, Bag, Ankle
// boot), from only N labelled images per class. The tasks share no class, so whatever the
// pretrained layers bring to the target came from features learnt on the source.
//
// For each N, LeNet-5 learns the target task from the same few images in two ways, and is tested
// on all 5,000 test images of the target classes:
//   scratch    randomly initialized, every layer trained
//   transfer   the pretrained network with a new 5-way head (replace_head) and its convolutional
//              base frozen (freeze_until "avg_pool2d_1"); the dense layers are trained
// Both train for the same epochs with the same optimizer. Few-shot accuracies depend on which
// images happen to be labelled, so each figure is the mean over several disjoint labelled sets.
//
//   build/examples/transfer_learning [--sets 3] [--epochs 100] [--pretrain-epochs 3]
#include <cstdlib>
#include <cstring>
#include <iomanip>
#include <iostream>
#include <string>

#include "convnet/optim.h"
#include "convnet/train.h"
#include "convnet/transfer.h"
#include "convnet/zoo.h"

using namespace convnet;

namespace {

// The images of classes [first, first + 5), relabelled 0..4: per class, images number
// skip * per_class .. (skip + 1) * per_class - 1 of that class in data set order (per_class 0:
// all of them).
Dataset five_classes(const Dataset& d, int32_t first, int64_t per_class, int64_t skip = 0) {
  std::vector<int64_t> indices, seen(5, 0);
  for (int64_t i = 0; i < d.size(); ++i) {
    const int32_t k = d.labels[size_t(i)] - first;
    if (k < 0 || k >= 5) continue;
    const int64_t rank = seen[size_t(k)]++;
    if (per_class == 0 || (rank >= skip * per_class && rank < (skip + 1) * per_class))
      indices.push_back(i);
  }
  Dataset out = d.subset(indices);
  for (int32_t& l : out.labels) l -= first;
  out.class_names.assign(d.class_names.begin() + first, d.class_names.begin() + first + 5);
  return out;
}

double train_and_test(Model& model, const Dataset& train, const Dataset& test, int64_t epochs) {
  model.compile(std::make_unique<Adam>(model.params(), AdamOptions{.lr = 1e-3}),
                std::make_unique<SoftmaxCrossEntropy>());
  model.fit(train, {.epochs = epochs, .batch_size = 32, .seed = 7, .verbose = Verbosity::quiet});
  return model.evaluate(test, {}).accuracy;
}

int64_t flag(int argc, char** argv, const char* name, int64_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (std::strcmp(argv[i], name) == 0) return std::atoll(argv[i + 1]);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t sets = flag(argc, argv, "--sets", 3);
  const int64_t epochs = flag(argc, argv, "--epochs", 100);
  const int64_t pretrain_epochs = flag(argc, argv, "--pretrain-epochs", 3);

  const DataSplits data = load_dataset("fashion-mnist");
  const Dataset source = five_classes(data.train, 0, 0);
  const Dataset target_test = five_classes(data.test, 5, 0);

  auto pretrained = zoo::lenet5({.classes = 5, .seed = 1});
  const double source_accuracy =
      train_and_test(*pretrained, source, five_classes(data.test, 0, 0), pretrain_epochs);
  std::cout << std::fixed << std::setprecision(4) << "pretrained on " << source.size()
            << " images of classes 0-4 for " << pretrain_epochs << " epochs: test accuracy "
            << source_accuracy << "\ntarget: classes 5-9, tested on " << target_test.size()
            << " images; mean over " << sets << " labelled sets, " << epochs << " epochs each\n"
            << "  labelled/class   scratch   transfer   gain\n";
  for (int64_t per_class : {5, 20, 100}) {
    double scratch_sum = 0, transfer_sum = 0;
    for (int64_t s = 0; s < sets; ++s) {
      const Dataset target = five_classes(data.train, 5, per_class, s);
      auto scratch = zoo::lenet5({.classes = 5, .seed = 2});
      scratch_sum += train_and_test(*scratch, target, target_test, epochs);
      auto transfer = replace_head(*pretrained, 5, 2);
      freeze_until(*transfer, "avg_pool2d_1");
      transfer_sum += train_and_test(*transfer, target, target_test, epochs);
    }
    const double scratch = scratch_sum / double(sets), transfer = transfer_sum / double(sets);
    std::cout << "  " << std::setw(14) << per_class << "   " << scratch << "    " << transfer
              << "   " << std::showpos << std::setprecision(1) << 100.0 * (transfer - scratch)
              << " points" << std::noshowpos << std::setprecision(4) << "\n";
  }
  return 0;
}
