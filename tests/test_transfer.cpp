// Transfer learning helpers: freezing up to a layer, a new classifier head, a new input size; and
// Model::forward_to, the intermediate outputs that retrieval features rely on.
#include <gtest/gtest.h>

#include "convnet/layers.h"
#include "convnet/optim.h"
#include "convnet/train.h"
#include "convnet/transfer.h"
#include "convnet/zoo.h"
#include "support/compare.h"

namespace convnet {
namespace {

void expect_equal(const Tensor& a, const Tensor& b) {
  ASSERT_EQ(a.shape(), b.shape());
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a[i], b[i]) << "at " << i;
}

TEST(Transfer, FreezeUntilFreezesThePrefixOnly) {
  auto m = zoo::lenet5();
  const auto trainable = [&] {
    std::string flags;
    for (Layer* l : m->layers()) flags += l->trainable() ? '1' : '0';
    return flags;
  };
  // conv2d, avg_pool2d, conv2d_1 | avg_pool2d_1, flatten, dense, dense_1, dense_2
  freeze_until(*m, "conv2d_1");
  EXPECT_EQ(trainable(), "00011111");
  EXPECT_EQ(m->summary_info().trainable_params, 48120 + 10164 + 850);
  // Moving the boundary down unfreezes what lies after it.
  freeze_until(*m, "conv2d");
  EXPECT_EQ(trainable(), "01111111");
  // No name: everything but the head.
  freeze_until(*m, "");
  EXPECT_EQ(trainable(), "00000001");
  EXPECT_THROW(freeze_until(*zoo::srcnn(), ""), std::invalid_argument);  // no Dense head
  EXPECT_THROW(freeze_until(*m, "no_such_layer"), std::invalid_argument);
}

TEST(Transfer, FrozenLayersKeepTheirWeightsInTraining) {
  auto m = zoo::lenet5({.seed = 3});
  freeze_until(*m, "dense");
  const Tensor conv_before = m->layer("conv2d").params()[0].value->clone();
  const Tensor head_before = m->layer("dense_2").params()[0].value->clone();
  m->compile(std::make_unique<Adam>(m->params(), AdamOptions{.lr = 1e-2}),
             std::make_unique<SoftmaxCrossEntropy>());
  Dataset d;
  d.images = test::random_uniform({16, 1, 28, 28}, 4);
  for (int i = 0; i < 16; ++i) d.labels.push_back(i % 10);
  m->fit(d, {.epochs = 2, .batch_size = 8, .verbose = Verbosity::quiet});
  expect_equal(*m->layer("conv2d").params()[0].value, conv_before);
  const Tensor& head_after = *m->layer("dense_2").params()[0].value;
  double change = 0;
  for (int64_t i = 0; i < head_after.numel(); ++i)
    change += std::abs(head_after[i] - head_before[i]);
  EXPECT_GT(change, 0.0);
}

TEST(Transfer, ReplaceHeadKeepsTheBodyAndResizesTheClassifier) {
  auto m = zoo::lenet5({.seed = 5});
  m->layer("conv2d").set_trainable(false);
  auto r = replace_head(*m, 3, 9);
  EXPECT_EQ(r->output_shape(), Shape({3}));
  EXPECT_FALSE(r->layer("conv2d").trainable());
  EXPECT_TRUE(r->layer("dense_2").trainable());
  EXPECT_EQ(r->layer("dense_2").config().get_string("activation"), "softmax");
  // Everything below the head is the same network: equal features for equal inputs.
  const Tensor x = test::random_uniform({2, 1, 28, 28}, 6);
  expect_equal(r->forward_to(x, "dense_1"), m->forward_to(x, "dense_1"));
  // The head is freshly initialized from the seed: the same seed gives the same head.
  auto again = replace_head(*m, 3, 9);
  expect_equal(*again->layer("dense_2").params()[0].value, *r->layer("dense_2").params()[0].value);
  EXPECT_THROW(replace_head(*m, 0), std::invalid_argument);
  EXPECT_THROW(replace_head(*zoo::srcnn(), 3), std::invalid_argument);  // no Dense at all
}

TEST(Transfer, ReplaceHeadOfAGraph) {
  auto g = zoo::resnet(18, {.input_shape = {3, 32, 32}, .classes = 10});
  auto r = replace_head(*g, 4, 1);
  EXPECT_EQ(r->output_shape(), Shape({4}));
  const Tensor x = test::random_uniform({1, 3, 32, 32}, 7);
  expect_equal(r->forward_to(x, "avgpool"), g->forward_to(x, "avgpool"));
}

TEST(Transfer, WithInputShapeRunsAFullyConvolutionalModelOnAnotherSize) {
  auto m = zoo::srcnn({.seed = 2});
  auto big = with_input_shape(*m, {1, 40, 36});
  EXPECT_EQ(big->input_shape(), Shape({1, 40, 36}));
  const Tensor x = test::random_uniform({1, 1, 40, 36}, 8);
  expect_equal(big->forward(x), m->forward(x));

  auto unet = zoo::unet_small({.input_shape = {3, 32, 32}, .seed = 3});
  auto same = with_input_shape(*unet, {3, 32, 32});
  const Tensor y = test::random_uniform({1, 3, 32, 32}, 9);
  expect_equal(same->forward(y), unet->forward(y));
  EXPECT_EQ(with_input_shape(*unet, {3, 48, 40})->output_shape(), Shape({4, 48, 40}));
  // A classifier's Dense fixes the size of what comes before it.
  EXPECT_THROW(with_input_shape(*zoo::lenet5(), {1, 32, 32}), std::invalid_argument);
}

TEST(ForwardTo, StopsAtTheNamedLayer) {
  auto m = zoo::lenet5({.seed = 4});
  const Tensor x = test::random_uniform({3, 1, 28, 28}, 10);
  Tensor h = x;
  for (Layer* l : m->layers()) {
    h = l->forward(h, Mode::eval);
    if (l->name() == "dense") break;
  }
  expect_equal(m->forward_to(x, "dense"), h);
  expect_equal(m->forward_to(x, "dense_2"), m->forward(x));
  EXPECT_THROW(m->forward_to(x, "nope"), std::invalid_argument);

  auto g = zoo::unet_small({.input_shape = {3, 16, 16}});
  const Tensor y = test::random_uniform({1, 3, 16, 16}, 11);
  EXPECT_EQ(g->forward_to(y, "concatenate").shape(), Shape({1, 64, 8, 8}));
  expect_equal(g->forward_to(y, "conv2d_10"), g->forward(y));
}

}  // namespace
}  // namespace convnet
