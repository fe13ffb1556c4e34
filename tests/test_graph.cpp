// Graph (functional) models: shape inference, forward in topological order, gradients of nodes used
// more than once summed, merge layers, and the summary's "Connected to" column.
#include <gtest/gtest.h>

#include "convnet/graph.h"
#include "convnet/layers.h"

namespace convnet {
namespace {

// y = Dense(x) + x: dy/dx = W^T dy + dy.
TEST(Graph, ResidualGradientSumsBothPaths) {
  Graph g;
  auto x = g.input({3});
  auto h = g.add(Dense({.units = 3, .use_bias = false}), x);
  g.set_outputs({g.add(Add(), {h, x})});
  auto& dense = static_cast<Dense&>(g.layer("dense"));
  dense.weight().copy_from(Tensor::from({3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9}));
  const Tensor in = Tensor::from({1, 3}, {1, -1, 2});
  const Tensor y = g.forward(in, Mode::train);
  // W x = [1-2+6, 4-5+12, 7-8+18] = [5, 11, 17]; plus x.
  EXPECT_FLOAT_EQ(y[0], 6);
  EXPECT_FLOAT_EQ(y[1], 10);
  EXPECT_FLOAT_EQ(y[2], 19);
  const Tensor dx = g.backward(Tensor::from({1, 3}, {1, 0, 0}));
  // W^T e0 = first row of W = [1, 2, 3]; plus e0.
  EXPECT_FLOAT_EQ(dx[0], 2);
  EXPECT_FLOAT_EQ(dx[1], 2);
  EXPECT_FLOAT_EQ(dx[2], 3);
  // The weight gradient: dy x^T = e0 x^T.
  EXPECT_FLOAT_EQ(dense.params()[0].grad->at(0, 2), 2);
  EXPECT_FLOAT_EQ(dense.params()[0].grad->at(1, 0), 0);
}

TEST(Graph, ConcatenateAlongChannelsAndBack) {
  Graph g;
  auto a = g.input({1, 2, 2}, "a");
  auto b = g.input({2, 2, 2}, "b");
  auto c = g.add(Concatenate(), {a, b});
  EXPECT_EQ(c.shape, Shape({3, 2, 2}));
  g.set_outputs({c});
  Tensor xa({2, 1, 2, 2}, 1.0f), xb({2, 2, 2, 2}, 2.0f);
  const Tensor y = g.forward({xa, xb}, Mode::train)[0];
  EXPECT_EQ(y.shape(), Shape({2, 3, 2, 2}));
  EXPECT_FLOAT_EQ(y.at(1, 0, 1, 1), 1.0f);
  EXPECT_FLOAT_EQ(y.at(1, 2, 0, 0), 2.0f);
  Tensor dy(y.shape());
  for (int64_t i = 0; i < dy.numel(); ++i) dy[i] = float(i);
  const auto dxs = g.backward(std::vector<Tensor>{dy});
  ASSERT_EQ(dxs.size(), 2u);
  EXPECT_FLOAT_EQ(dxs[0].at(1, 0, 0, 0), dy.at(1, 0, 0, 0));
  EXPECT_FLOAT_EQ(dxs[1].at(1, 1, 1, 1), dy.at(1, 2, 1, 1));
}

TEST(Graph, MultiplyGradient) {
  Graph g;
  auto a = g.input({2}, "a");
  auto b = g.input({2}, "b");
  g.set_outputs({g.add(Multiply(), {a, b})});
  const auto y = g.forward({Tensor::from({1, 2}, {2, 3}), Tensor::from({1, 2}, {5, 7})}, Mode::train);
  EXPECT_FLOAT_EQ(y[0][1], 21);
  const auto d = g.backward(std::vector<Tensor>{Tensor::from({1, 2}, {1, 1})});
  EXPECT_FLOAT_EQ(d[0][1], 7);
  EXPECT_FLOAT_EQ(d[1][0], 2);
}

TEST(Graph, ShapeErrorsNameTheLayer) {
  Graph g;
  auto a = g.input({2, 4, 4});
  auto b = g.input({3, 4, 4});
  try {
    g.add(Add(), {a, b});
    FAIL() << "Add accepted different shapes";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("add (Add)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[3, 4, 4]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(g.add(Dense({.units = 2}), a), ShapeError);
}

TEST(Graph, SummaryHasConnectedTo) {
  Graph g({.name = "residual"});
  auto x = g.input({4, 6, 6});
  auto h = g.add(Conv2D({.filters = 4, .kernel = 3, .padding = Padding::same}), x);
  g.set_outputs({g.add(Add(), {h, x})});
  const ModelSummary s = g.summary_info();
  ASSERT_EQ(s.layers.size(), 2u);
  EXPECT_EQ(s.layers[1].inbound, (std::vector<std::string>{"conv2d", "input"}));
  EXPECT_EQ(s.total_params, 4 * 4 * 9 + 4);
  EXPECT_NE(g.summary().find("Connected to"), std::string::npos);
}

}  // namespace
}  // namespace convnet

#include "support/gradcheck.h"

namespace convnet {
namespace {

// Finite differences through every merge layer inside a graph: x feeds two convolutions whose
// outputs are merged, so the merge's backward and the summing of x's two gradients are checked.
class GraphMergeGradcheck : public ::testing::TestWithParam<std::string> {};

TEST_P(GraphMergeGradcheck, InputAndParameterGradients) {
  Graph g({.seed = 3});
  auto x = g.input({2, 5, 4});
  auto a = g.add(Conv2D({.filters = 3, .kernel = 3, .padding = Padding::same}), x);
  auto b = g.add(Conv2D({.filters = 3, .kernel = {1, 3}, .padding = Padding::same}), x);
  g.set_outputs({g.add(make_layer(GetParam(), {}), {a, b, a})});
  Rng rng(7);
  Tensor in({2, 2, 5, 4});
  for (float& v : in) v = rng.normal();
  EXPECT_TRUE(test::gradcheck(g, in, rng));
}

INSTANTIATE_TEST_SUITE_P(Merge, GraphMergeGradcheck,
                         ::testing::Values("Add", "Multiply", "Concatenate"));

}  // namespace
}  // namespace convnet

#include "convnet/io/model_file.h"
#include "convnet/optim.h"
#include "convnet/train.h"
#include "support/test_files.h"

namespace convnet {
namespace {

// A residual classifier trained with fit(): the loss falls, and the trained graph survives a
// round trip through a model file with identical predictions.
TEST(Graph, ResidualModelTrainsWithFitAndRoundTrips) {
  Rng rng(11);
  // Two classes told apart by the sign of the mean of the image's left half.
  Dataset d;
  d.images = Tensor({128, 1, 6, 6});
  for (int64_t n = 0; n < 128; ++n) {
    const float sign = n % 2 ? 1.0f : -1.0f;
    for (int64_t i = 0; i < 36; ++i) d.images[n * 36 + i] = rng.normal(i % 6 < 3 ? sign : 0.0f, 1.0f);
    d.labels.push_back(int32_t(n % 2));
  }
  Graph g({.seed = 5});
  auto x = g.input({1, 6, 6});
  auto h = g.add(Conv2D({.filters = 4, .kernel = 3, .padding = Padding::same,
                         .activation = Activation::relu}), x);
  auto r = g.add(Conv2D({.filters = 4, .kernel = 3, .padding = Padding::same}), h);
  auto s = g.add(ReLU(), g.add(Add(), {r, h}));
  auto f = g.add(Flatten(), g.add(GlobalAvgPool2D({.keepdims = true}), s));
  g.set_outputs({g.add(Dense({.units = 2, .activation = Activation::softmax}), f)});
  g.compile(std::make_unique<Adam>(g.params(), AdamOptions{.lr = 1e-2}),
            std::make_unique<SoftmaxCrossEntropy>());
  const History hist = g.fit(d, {.epochs = 15, .batch_size = 16, .verbose = Verbosity::quiet});
  EXPECT_LT(hist.epochs.back().loss, hist.epochs.front().loss * 0.7);
  EXPECT_GT(hist.epochs.back().accuracy, 0.8);

  testing::TempDir dir;
  io::save_model(g, dir.file("res.safetensors"));
  auto back = io::load_model(dir.file("res.safetensors")).model;
  const Tensor a = g.predict(d.images), b = back->predict(d.images);
  for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a[i], b[i]) << i;
}

}  // namespace
}  // namespace convnet
