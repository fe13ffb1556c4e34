// Models told that nothing needs their input gradient (training): the layers that read the model
// inputs skip dx, the model returns an empty tensor, and every parameter gradient stays
// bit-identical to a backward pass that computes dx.
#include <gtest/gtest.h>

#include <vector>

#include "convnet/graph.h"
#include "convnet/layers.h"
#include "convnet/loss.h"
#include "convnet/optim/sgd.h"
#include "convnet/zoo.h"
#include "support/compare.h"
#include "train/step.h"

namespace convnet {
namespace {

struct Pass {
  Tensor dx;
  std::vector<std::vector<float>> grads;
};

// One forward and backward with the model's needs_input_grad set to `needed`; from_logits takes
// the softmax models' training path.
Pass run(Model& m, const Tensor& x, bool needed, bool from_logits) {
  m.zero_grad();
  m.set_needs_input_grad(needed);
  const Tensor y = m.forward(x, Mode::train);
  Rng rng(3);
  Tensor dy(y.shape());
  for (float& v : dy) v = rng.normal();
  Pass p;
  p.dx = from_logits ? m.backward_from_logits(dy) : m.backward(dy);
  for (const NamedParam& np : m.params())
    if (np.param.grad) p.grads.emplace_back(np.param.grad->begin(), np.param.grad->end());
  return p;
}

TEST(InputGrad, SequentialSkipsTheFirstLayersDx) {
  auto m = zoo::lenet5({.seed = 1});
  const Tensor x = test::random_uniform({3, 1, 28, 28}, 2, -1.0f, 1.0f);
  for (const bool from_logits : {false, true}) {
    SCOPED_TRACE(from_logits ? "backward_from_logits" : "backward");
    const Pass with = run(*m, x, true, from_logits), without = run(*m, x, false, from_logits);
    EXPECT_EQ(with.dx.shape(), x.shape());
    EXPECT_TRUE(without.dx.empty());
    EXPECT_EQ(with.grads, without.grads);
    EXPECT_EQ(run(*m, x, true, from_logits).dx.shape(), x.shape());  // and back on
  }
}

// The input feeds two convolutions (which skip dx) and a ReLU (which does not): the gradients of
// the graph's input still add up when some of them are missing.
TEST(InputGrad, GraphSkipsDxOfLayersOnTheInputs) {
  Graph g;
  auto x = g.input({2, 6, 6});
  auto a = g.add(Conv2D({.filters = 2, .kernel = 3, .padding = Padding::same}), x);
  auto b = g.add(Conv2D({.filters = 2, .kernel = 3, .padding = Padding::same}), x);
  auto c = g.add(ReLU(), x);
  auto s = g.add(Add(), {a, b, c});
  auto f = g.add(Flatten(), s);
  g.set_outputs({g.add(Dense({.units = 4}), f)});
  const Tensor in = test::random_uniform({2, 2, 6, 6}, 4, -1.0f, 1.0f);
  const Pass with = run(g, in, true, false), without = run(g, in, false, false);
  EXPECT_EQ(with.dx.shape(), in.shape());
  EXPECT_TRUE(without.dx.empty());
  EXPECT_EQ(with.grads, without.grads);
}

TEST(InputGrad, TrainStepLeavesTheModelsSettingAsItWas) {
  auto m = zoo::lenet5({.seed = 1});
  SoftmaxCrossEntropy loss;
  SGD sgd(m->params(), {.lr = 0.01});
  Batch batch;
  batch.images = test::random_uniform({2, 1, 28, 28}, 5, -1.0f, 1.0f);
  batch.labels = {1, 7};
  train_step(*m, loss, sgd, batch, 0.0);
  EXPECT_TRUE(m->needs_input_grad());
  m->set_needs_input_grad(false);
  train_step(*m, loss, sgd, batch, 0.0);
  EXPECT_FALSE(m->needs_input_grad());
}

}  // namespace
}  // namespace convnet
