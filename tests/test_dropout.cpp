// Dropout: the drop rate and the 1 / (1 - rate) scale measured on many units, identity in eval,
// backward equal to the mask, and masks reproducible from the model's seed.
#include <gtest/gtest.h>

#include <cmath>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

TEST(Dropout, DropsTheRateAndScalesTheRest) {
  Dropout d({.rate = 0.3f, .seed = 7});
  const int64_t n = 100000;
  const Tensor x = Tensor::full({10, n / 10}, 2.0f);
  const Tensor y = d.forward(x, Mode::train);
  int64_t dropped = 0;
  double sum = 0.0;
  for (float v : y) {
    if (v == 0.0f)
      ++dropped;
    else
      EXPECT_FLOAT_EQ(v, 2.0f / 0.7f);
    sum += v;
  }
  // Binomial(n, 0.3): standard deviation sqrt(n * 0.21) = 145; allow 5 of them.
  EXPECT_NEAR(double(dropped), 0.3 * n, 5 * std::sqrt(0.21 * n));
  // The expected output equals the input (inverted dropout).
  EXPECT_NEAR(sum / double(n), 2.0, 5 * 2.0 / 0.7 * std::sqrt(0.21 / n));
}

TEST(Dropout, UnitsAreDroppedIndependently) {
  // Neighbouring units must not share their fate: P(both dropped) = rate^2.
  Dropout d({.rate = 0.5f, .seed = 3});
  const int64_t n = 40000;
  const Tensor y = d.forward(Tensor::full({1, n}, 1.0f), Mode::train);
  int64_t both = 0;
  for (int64_t i = 0; i + 1 < n; i += 2) both += (y[i] == 0.0f && y[i + 1] == 0.0f);
  EXPECT_NEAR(double(both), 0.25 * (n / 2), 5 * std::sqrt(0.1875 * (n / 2)));
}

TEST(Dropout, BackwardMultipliesByTheMask) {
  Dropout d({.rate = 0.5f, .seed = 11});
  Tensor x({4, 3, 5, 5});
  for (int64_t i = 0; i < x.numel(); ++i) x[i] = float(i % 17) - 8.0f;
  const Tensor y = d.forward(x, Mode::train);
  Tensor dy(x.shape());
  for (int64_t i = 0; i < dy.numel(); ++i) dy[i] = 0.5f + float(i % 5);
  const Tensor dx = d.backward(dy);
  ASSERT_EQ(d.mask().shape(), x.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    const float m = d.mask()[i];
    ASSERT_TRUE(m == 0.0f || m == 2.0f) << m;
    EXPECT_EQ(y[i], x[i] * m);
    EXPECT_EQ(dx[i], dy[i] * m);
  }
}

TEST(Dropout, EvalAndRateZeroAreIdentityRateOneDropsAll) {
  Dropout d({.rate = 0.5f});
  const Tensor x = Tensor::from({1, 4}, {1, -2, 3, -4});
  const Tensor y = d.forward(x, Mode::eval);
  for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(y[i], x[i]);
  const Tensor dy = Tensor::from({1, 4}, {5, 6, 7, 8});
  EXPECT_EQ(d.backward(dy)[3], 8.0f);
  Dropout none({.rate = 0.0f});
  EXPECT_EQ(none.forward(x, Mode::train)[1], -2.0f);
  Dropout all({.rate = 1.0f});
  for (float v : all.forward(x, Mode::train)) EXPECT_EQ(v, 0.0f);
  EXPECT_THROW(Dropout({.rate = 1.5f}), std::invalid_argument);
}

std::vector<float> first_mask(uint64_t model_seed) {
  Sequential m({50}, {.seed = model_seed});
  m.add(Dropout());
  const Tensor y = m.forward(Tensor::full({1, 50}, 1.0f), Mode::train);
  return {y.begin(), y.end()};
}

TEST(Dropout, MasksFollowTheModelSeed) {
  EXPECT_EQ(first_mask(5), first_mask(5));
  EXPECT_NE(first_mask(5), first_mask(6));
  // Successive training steps draw new masks.
  Dropout d({.seed = 1});
  const Tensor x = Tensor::full({1, 64}, 1.0f);
  const Tensor a = d.forward(x, Mode::train), b = d.forward(x, Mode::train);
  EXPECT_NE(std::vector<float>(a.begin(), a.end()), std::vector<float>(b.begin(), b.end()));
}

TEST(Dropout, ConfigRoundTripAndSummary) {
  const Dropout d({.rate = 0.25f, .seed = 42});
  EXPECT_EQ(make_layer("Dropout", d.config())->config(), d.config());
  Sequential m({1024, 1, 1});
  auto& added = m.add(Dropout({.rate = 0.001f}));
  EXPECT_EQ(added.name(), "dropout");
  EXPECT_EQ(m.count_params(), 0);
  EXPECT_EQ(m.output_shape(), Shape({1024, 1, 1}));
}

}  // namespace
}  // namespace convnet
