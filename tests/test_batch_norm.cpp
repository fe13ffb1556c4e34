// BatchNorm2D / BatchNorm1D by hand: batch statistics, running-statistic updates (PyTorch's
// unbiased variance and momentum convention), eval mode, frozen layers, gradients through the
// batch statistics, and Keras' parameter counts.
#include <gtest/gtest.h>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

constexpr float kTol = 1e-5f;

void expect_near(const Tensor& t, std::initializer_list<float> want, float tol = kTol) {
  ASSERT_EQ(t.numel(), int64_t(want.size())) << t;
  int64_t i = 0;
  for (float w : want) EXPECT_NEAR(t[i++], w, tol) << "at flat index " << i - 1 << " of " << t;
}

// Two channels, M = 4 values each: channel 0 {1, 3, 1, 3} (mean 2, variance 1), channel 1
// {0, 0, 4, 4} (mean 2, variance 4); gamma {2, 1}, beta {0, 10}.
struct TwoChannels {
  Rng rng{1};
  BatchNorm2D bn;
  Tensor x = Tensor::from({2, 2, 1, 2}, {1, 3, 0, 0, 1, 3, 4, 4});
  TwoChannels(BatchNormOptions o = {.eps = 1e-7f}) : bn(o) {
    bn.build({2, 1, 2}, rng);
    if (o.affine) {
      bn.weight().copy_from(Tensor::from({2}, {2, 1}));
      bn.bias().copy_from(Tensor::from({2}, {0, 10}));
    }
  }
};

TEST(BatchNorm2D, TrainingNormalizesWithBatchStatistics) {
  TwoChannels t;
  const Tensor y = t.bn.forward(t.x, Mode::train);
  expect_near(y, {-2, 2, 9, 9, -2, 2, 11, 11});
  // momentum 0.1, unbiased variance M / (M - 1) = 4 / 3 times the biased one.
  expect_near(t.bn.running_mean(), {0.2f, 0.2f});
  expect_near(t.bn.running_var(), {0.9f + 0.1f * 4 / 3, 0.9f + 0.1f * 16 / 3});
  t.bn.forward(t.x, Mode::train);
  expect_near(t.bn.running_mean(), {0.38f, 0.38f});
}

TEST(BatchNorm2D, EvalUsesRunningStatisticsAndLeavesThem) {
  TwoChannels t;
  t.bn.running_mean().copy_from(Tensor::from({2}, {1, -1}));
  t.bn.running_var().copy_from(Tensor::from({2}, {4, 0.25f}));
  const Tensor y = t.bn.forward(t.x, Mode::eval);
  // Channel 0: 2 * (x - 1) / 2; channel 1: (x + 1) / 0.5 + 10.
  expect_near(y, {0, 2, 12, 12, 0, 2, 20, 20});
  expect_near(t.bn.running_mean(), {1, -1});
  // Backward after eval: dx = gamma / sqrt(var + eps) * dy, dgamma = sum dy * xhat, dbeta = sum dy.
  const Tensor dx = t.bn.backward(Tensor::full(t.x.shape(), 1.0f));
  expect_near(dx, {1, 1, 2, 2, 1, 1, 2, 2});
  expect_near(*t.bn.params()[0].grad, {0 + 1 + 0 + 1, 2 + 2 + 10 + 10});
  expect_near(*t.bn.params()[1].grad, {4, 4});
}

TEST(BatchNorm2D, FrozenLayerRunsInInferenceModeAsKeras) {
  TwoChannels t;
  t.bn.set_trainable(false);
  const Tensor y = t.bn.forward(t.x, Mode::train);
  expect_near(y, {2, 6, 10, 10, 2, 6, 14, 14}, 1e-4f);  // x * gamma / sqrt(1 + eps) + beta
  expect_near(t.bn.running_mean(), {0, 0});
  expect_near(t.bn.running_var(), {1, 1});
}

TEST(BatchNorm2D, BackwardFlowsThroughBatchStatistics) {
  TwoChannels t({.eps = 1e-7f, .affine = false});
  t.bn.forward(t.x, Mode::train);
  // dy one-hot at the first value of channel 0 (xhat = {-1, 1, -1, 1} over n = 0, 1):
  // dx = e0 - 1/4 - xhat * (-1/4) = {1/2, 0, -1/2, 0}; channel 1 receives nothing.
  Tensor dy(t.x.shape());
  dy[0] = 1;
  expect_near(t.bn.backward(dy), {0.5f, 0, 0, 0, -0.5f, 0, 0, 0});
  // A gradient along xhat or a constant one is absorbed entirely by the normalization.
  const Tensor along = Tensor::from(t.x.shape(), {-1, 1, 5, 5, -1, 1, 5, 5});
  expect_near(t.bn.backward(along), {0, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_TRUE(t.bn.params().size() == 2u);  // only the running statistics without affine
}

TEST(BatchNorm2D, ParameterGradientsAccumulate) {
  TwoChannels t;
  t.bn.forward(t.x, Mode::train);
  const Tensor dy = Tensor::from(t.x.shape(), {1, 2, 3, 4, 5, 6, 7, 8});
  t.bn.backward(dy);
  t.bn.backward(dy);
  // dgamma = 2 * sum dy * xhat: channel 0 2*(-1 + 2 - 5 + 6), channel 1 2*(-3 - 4 + 7 + 8).
  expect_near(*t.bn.params()[0].grad, {4, 16}, 1e-4f);
  expect_near(*t.bn.params()[1].grad, {28, 44});
}

TEST(BatchNorm1D, FeaturesOverTheBatchAndSequences) {
  Rng rng(1);
  BatchNorm1D bn({.eps = 1e-7f});
  bn.build({2}, rng);
  const Tensor y = bn.forward(Tensor::from({2, 2}, {1, 10, 3, 30}), Mode::train);
  expect_near(y, {-1, -1, 1, 1});
  expect_near(bn.running_var(), {0.9f + 0.1f * 2, 0.9f + 0.1f * 200}, 1e-4f);
  // [C, L] inputs normalize over N and L, as PyTorch's BatchNorm1d on [N, C, L].
  BatchNorm1D seq({.eps = 1e-7f});
  seq.build({1, 2}, rng);
  expect_near(seq.forward(Tensor::from({2, 1, 2}, {1, 3, 1, 3}), Mode::train), {-1, 1, -1, 1});
  // One value per feature cannot be normalized by its own statistics (PyTorch raises too).
  EXPECT_THROW(bn.forward(Tensor::from({1, 2}, {1, 2}), Mode::train), std::invalid_argument);
  EXPECT_NO_THROW(bn.forward(Tensor::from({1, 2}, {1, 2}), Mode::eval));
}

TEST(BatchNorm, ShapeErrorsNameTheLayer) {
  Rng rng;
  EXPECT_THROW(BatchNorm2D().output_shape({4}), ShapeError);
  EXPECT_THROW(BatchNorm1D().output_shape({4, 3, 3}), ShapeError);
  BatchNorm2D bn;
  bn.set_name("conv1_bn");
  bn.build({3, 4, 4}, rng);
  try {
    bn.forward(Tensor({2, 4, 4, 4}), Mode::eval);
    FAIL() << "accepted 4 channels after building for 3";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("conv1_bn (BatchNorm2D)"), std::string::npos) << e.what();
  }
  EXPECT_THROW(BatchNorm2D({.momentum = 0.99f * 2}), std::invalid_argument);
}

// Keras' MobileNet: conv1_bn on 32 channels has 128 parameters, 64 of them trainable.
TEST(BatchNorm, KerasParameterCounts) {
  Sequential m({32, 8, 8});
  auto& bn = m.add(BatchNorm2D());
  EXPECT_EQ(bn.name(), "batch_normalization");
  EXPECT_EQ(bn.param_count(), 128);
  EXPECT_EQ(bn.trainable_param_count(), 64);
  const ModelSummary s = m.summary_info();
  EXPECT_EQ(s.total_params, 128);
  EXPECT_EQ(s.non_trainable_params, 64);
  std::vector<std::string> names;
  for (const NamedParam& p : m.params()) names.push_back(p.name);
  EXPECT_EQ(names, (std::vector<std::string>{
                       "batch_normalization.weight", "batch_normalization.bias",
                       "batch_normalization.running_mean", "batch_normalization.running_var"}));
}

TEST(BatchNorm, ConfigRoundTrip) {
  const BatchNorm2D bn({.momentum = 0.01f, .eps = 1e-3f, .affine = false});
  auto back = make_layer("BatchNorm2D", bn.config());
  EXPECT_EQ(back->type(), "BatchNorm2D");
  EXPECT_EQ(back->config(), bn.config());
  EXPECT_FLOAT_EQ(static_cast<BatchNorm2D&>(*back).options().momentum, 0.01f);
  EXPECT_EQ(make_layer("BatchNorm1D", BatchNorm1D().config())->type(), "BatchNorm1D");
}

}  // namespace
}  // namespace convnet
