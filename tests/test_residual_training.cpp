// A small graph model with a residual block learns: plain SGD (w -= lr * dL/dw) on softmax
// cross-entropy, written out here so that it depends on nothing but forward and backward.
#include <gtest/gtest.h>

#include <cmath>

#include "convnet/graph.h"
#include "convnet/layers.h"

namespace convnet {
namespace {

// Two classes of 1x8x8 images: a bright 3x3 blob in the top or the bottom half, on noise.
void make_batch(Rng& rng, int64_t n, Tensor& x, std::vector<int64_t>& labels) {
  x = Tensor({n, 1, 8, 8});
  labels.assign(size_t(n), 0);
  for (int64_t i = 0; i < n; ++i) {
    labels[size_t(i)] = int64_t(rng.below(2));
    for (int64_t h = 0; h < 8; ++h)
      for (int64_t w = 0; w < 8; ++w) x.at(i, 0, h, w) = rng.normal(0.0f, 0.3f);
    const int64_t top = labels[size_t(i)] ? 4 + int64_t(rng.below(2)) : int64_t(rng.below(2));
    const int64_t left = int64_t(rng.below(6));
    for (int64_t h = top; h < top + 3; ++h)
      for (int64_t w = left; w < left + 3; ++w) x.at(i, 0, h, w) += 1.0f;
  }
}

// Mean cross-entropy of softmax outputs p; dlogits = (p - onehot) / N.
double cross_entropy(const Tensor& p, const std::vector<int64_t>& labels, Tensor& dlogits) {
  const int64_t n = p.dim(0);
  dlogits = p.clone();
  double loss = 0;
  for (int64_t i = 0; i < n; ++i) {
    loss -= std::log(std::max(p.at(i, labels[size_t(i)]), 1e-12f));
    dlogits.at(i, labels[size_t(i)]) -= 1.0f;
  }
  for (float& v : dlogits) v /= float(n);
  return loss / double(n);
}

TEST(ResidualTraining, LossFallsWithPlainSgd) {
  Graph g({.name = "tiny-resnet", .seed = 11});
  auto x = g.input({1, 8, 8});
  auto h = g.add(
      Conv2D({.filters = 8, .kernel = 3, .padding = Padding::same, .activation = Activation::relu}),
      x);
  auto r =
      g.add(Conv2D({.filters = 8, .kernel = 3, .padding = Padding::same, .use_bias = false}), h);
  r = g.add(BatchNorm2D(), r);
  r = g.add(ReLU(), r);
  r = g.add(Conv2D({.filters = 8, .kernel = 3, .padding = Padding::same}), r);
  h = g.add(ReLU(), g.add(Add(), {r, h}));
  h = g.add(MaxPool2D({.pool = 4}), h);
  h = g.add(Flatten(), h);
  g.set_outputs({g.add(Dense({.units = 2, .activation = Activation::softmax}), h)});

  Rng rng(5);
  Tensor xb, dlogits;
  std::vector<int64_t> labels;
  make_batch(rng, 64, xb, labels);  // one fixed batch: the loss on it must fall
  const float lr = 0.1f;
  double first = 0, last = 0;
  for (int step = 0; step < 40; ++step) {
    const double loss = cross_entropy(g.forward(xb, Mode::train), labels, dlogits);
    ASSERT_TRUE(std::isfinite(loss)) << "step " << step;
    if (step == 0) first = loss;
    last = loss;
    g.zero_grad();
    g.backward_from_logits(dlogits);
    for (const NamedParam& p : g.params()) {
      if (!p.trainable()) continue;
      float* w = p.param.value->data();
      const float* dw = p.param.grad->data();
      for (int64_t i = 0; i < p.param.value->numel(); ++i) w[i] -= lr * dw[i];
    }
  }
  EXPECT_NEAR(first, std::log(2.0), 0.3) << "an untrained 2-class softmax starts near ln 2";
  EXPECT_LT(last, 0.5 * first) << "first " << first << ", last " << last;
  // And it generalizes to fresh images of the same two classes.
  Tensor xt;
  std::vector<int64_t> lt;
  make_batch(rng, 200, xt, lt);
  const Tensor p = g.forward(xt, Mode::eval);
  int correct = 0;
  for (int64_t i = 0; i < 200; ++i) correct += (p.at(i, 1) > p.at(i, 0)) == (lt[size_t(i)] == 1);
  EXPECT_GE(correct, 180);
}

}  // namespace
}  // namespace convnet
