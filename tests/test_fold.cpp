// Inference fusion (inference/fused_conv.h): in eval mode [ZeroPadding2D ->] convolution ->
// BatchNorm2D -> activation runs as one convolution with the batch norm folded into a scale and
// shift. Fused results must equal the layers run one by one within float rounding, fusion must
// stop where an intermediate output is needed elsewhere, and parameters changed after a forward
// (training, writes by hand) must show in the next one.
#include <gtest/gtest.h>

#include <algorithm>

#include "convnet/data.h"
#include "convnet/graph.h"
#include "convnet/layers.h"
#include "convnet/loss.h"
#include "convnet/optim/sgd.h"
#include "convnet/sequential.h"
#include "convnet/zoo.h"
#include "inference/fused_conv.h"
#include "support/compare.h"
#include "train/step.h"

namespace convnet {
namespace {

// Fusion over float sums of up to ~9000 products through 14 layers: relative to the largest value.
constexpr double kRtol = 2e-5;

// Running statistics and affine parameters far from the identity, and random biases.
void randomize(Model& m, Rng& rng) {
  for (Layer* l : m.layers()) {
    if (auto* bn = dynamic_cast<BatchNorm*>(l)) {
      for (float& v : bn->running_mean()) v = rng.normal(0.0f, 0.3f);
      for (float& v : bn->running_var()) v = rng.uniform(0.3f, 2.0f);
      for (float& v : bn->weight()) v = rng.uniform(0.5f, 1.5f);
      for (float& v : bn->bias()) v = rng.normal(0.1f, 0.3f);
    }
    for (const Param& p : l->params())
      if (p.name == "bias" && !dynamic_cast<BatchNorm*>(l))
        for (float& v : *p.value) v = rng.normal(0.0f, 0.3f);
  }
}

// The unfused result: the layers one by one in eval mode (Sequential only).
Tensor layer_by_layer(Sequential& m, const Tensor& x) {
  Tensor h = x;
  for (Layer* l : m.layers()) h = l->forward(h, Mode::eval);
  return h;
}

::testing::AssertionResult close(const Tensor& got, const Tensor& want) {
  if (!(got.shape() == want.shape()))
    return ::testing::AssertionFailure() << got.shape().str() << " vs " << want.shape().str();
  return test::all_close("y", got.shape(), got.data(), want.data(), kRtol);
}

int count_fusions(Sequential& m) {
  std::vector<bool> skip;
  return int(inference::plan_fusions(m.layers(), skip).size());
}

TEST(Fold, MobileNetEqualsLayerByLayer) {
  auto m = zoo::mobilenet({.input_shape = {3, 40, 40},
                           .classes = 10,
                           .classifier_activation = Activation::linear,
                           .seed = 3});
  Rng rng(1);
  randomize(*m, rng);
  // conv1 (with its padding), 13 depthwise (4 with their padding) and 13 pointwise convolutions,
  // each with its batch norm and ReLU6.
  EXPECT_EQ(count_fusions(*m), 27);
  const Tensor x = test::random_normal({2, 3, 40, 40}, rng);
  EXPECT_TRUE(close(m->forward(x, Mode::eval), layer_by_layer(*m, x)));
  EXPECT_TRUE(close(m->predict(x, 1), layer_by_layer(*m, x)));
}

// Parameters written after a fused forward show in the next: nothing stale is kept.
TEST(Fold, FollowsParameterChanges) {
  auto m = zoo::mobilenet({.input_shape = {3, 32, 32},
                           .classes = 4,
                           .classifier_activation = Activation::linear,
                           .seed = 5});
  Rng rng(2);
  randomize(*m, rng);
  const Tensor x = test::random_normal({2, 3, 32, 32}, rng);
  const Tensor before = m->forward(x, Mode::eval);
  auto& bn = dynamic_cast<BatchNorm2D&>(m->layer("conv_pw_3_bn"));
  for (float& v : bn.running_mean()) v += 0.5f;
  dynamic_cast<DepthwiseConv2D&>(m->layer("conv_dw_2")).weight()[4] *= -2.0f;
  const Tensor after = m->forward(x, Mode::eval);
  EXPECT_FALSE(close(after, before));
  EXPECT_TRUE(close(after, layer_by_layer(*m, x)));
  // A training step changes weights and the running statistics.
  SoftmaxCrossEntropy loss;
  SGD sgd(m->params(), {.lr = 0.1, .momentum = 0.0});
  Batch batch;
  batch.images = x;
  batch.labels = {1, 3};
  train_step(*m, loss, sgd, batch, 0.0);
  const Tensor trained = m->forward(x, Mode::eval);
  EXPECT_FALSE(close(trained, after));
  EXPECT_TRUE(close(trained, layer_by_layer(*m, x)));
}

// forward_to a batch norm gives its own output, not the activation fused after it.
TEST(Fold, ForwardToStopsInsideAFusion) {
  auto m = zoo::mobilenet({.input_shape = {3, 32, 32}, .include_top = false, .seed = 7});
  Rng rng(3);
  randomize(*m, rng);
  const Tensor x = test::random_normal({1, 3, 32, 32}, rng);
  Tensor want = x;
  for (Layer* l : m->layers()) {
    want = l->forward(want, Mode::eval);
    if (l->name() == "conv_dw_2_bn") break;
  }
  EXPECT_TRUE(close(m->forward_to(x, "conv_dw_2_bn"), want));
  EXPECT_LT(*std::min_element(want.begin(), want.end()), 0.0f);  // not through the ReLU6
}

// conv -> bn -> relu where a second branch reads the batch norm's output: the ReLU must not fuse
// (the branch needs the value before it), the batch norm still may. A second conv feeds two
// layers and fuses with nothing.
TEST(Fold, GraphBranchReadingTheBatchNormIsNotFusedAway) {
  Graph g({.seed = 4});
  auto x = g.input({3, 9, 11});
  auto c1 = g.add(Conv2D({.filters = 6, .kernel = 3, .padding = Padding::same}), x);
  auto bn = g.add(BatchNorm2D(), c1);
  auto relu = g.add(ReLU(), bn);
  auto branch = g.add(Conv2D({.filters = 6, .kernel = 1}), bn);
  auto sum = g.add(Add(), {relu, branch});
  auto c2 = g.add(DepthwiseConv2D({.kernel = 3, .stride = 2, .padding = Padding::same}), sum);
  auto act = g.add(ReLU6(), c2);
  auto bn2 = g.add(BatchNorm2D(), c2);
  g.set_outputs({g.add(Concatenate(), {act, bn2})});
  Rng rng(5);
  randomize(g, rng);
  const Tensor in = test::random_normal({2, 3, 9, 11}, rng);

  std::vector<Layer*> L = g.layers();  // c1, bn, relu, branch, add, c2, act, bn2, concat
  const Tensor v_c1 = L[0]->forward(in, Mode::eval), v_bn = L[1]->forward(v_c1, Mode::eval);
  const Tensor v_relu = L[2]->forward(v_bn, Mode::eval), v_br = L[3]->forward(v_bn, Mode::eval);
  const Tensor v_sum = dynamic_cast<MergeLayer*>(L[4])->forward({v_relu, v_br}, Mode::eval);
  const Tensor v_c2 = L[5]->forward(v_sum, Mode::eval);
  const Tensor v_act = L[6]->forward(v_c2, Mode::eval), v_bn2 = L[7]->forward(v_c2, Mode::eval);
  const Tensor want = dynamic_cast<MergeLayer*>(L[8])->forward({v_act, v_bn2}, Mode::eval);
  EXPECT_TRUE(close(g.forward(in, Mode::eval), want));

  // The plan: c1 + bn only.
  std::vector<inference::PlanNode> nodes{{nullptr, {}, false}};
  const std::vector<std::vector<int>> inputs = {{0}, {1}, {2}, {2}, {3, 4}, {5}, {6}, {6}, {7, 8}};
  for (size_t i = 0; i < L.size(); ++i) nodes.push_back({L[i], inputs[i], i + 1 == L.size()});
  std::vector<bool> skip;
  const auto plan = inference::plan_fusions(nodes, skip);
  ASSERT_EQ(plan.size(), 1u);
  EXPECT_EQ(plan[0].head, 1u);
  EXPECT_EQ(plan[0].tail, 2u);
  EXPECT_EQ(plan[0].conv.act, nullptr);
}

// ResNet (a Graph: conv -> bn -> relu, and conv -> bn -> Add) against its unfused self: training
// mode with every batch norm frozen uses the running statistics and fuses nothing.
TEST(Fold, ResNetGraphEqualsUnfused) {
  auto m = zoo::resnet(18, {.input_shape = {3, 32, 32},
                            .classes = 5,
                            .classifier_activation = Activation::linear,
                            .seed = 6});
  Rng rng(7);
  randomize(*m, rng);
  const Tensor x = test::random_normal({2, 3, 32, 32}, rng);
  const Tensor fused = m->forward(x, Mode::eval);
  for (Layer* l : m->layers())
    if (dynamic_cast<BatchNorm*>(l)) l->set_trainable(false);
  EXPECT_TRUE(close(fused, m->forward(x, Mode::train)));
}

}  // namespace
}  // namespace convnet
