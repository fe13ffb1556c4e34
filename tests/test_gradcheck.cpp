// Finite-difference gradient checks of every op in the registry (input and parameter gradients),
// of a small model end to end, and of the checker itself: it must catch an off-by-one.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "convnet/layers.h"
#include "convnet/sequential.h"
#include "support/gradcheck.h"
#include "support/op_registry.h"

namespace convnet::test {
namespace {

class GradcheckOp : public ::testing::TestWithParam<std::string> {};

TEST_P(GradcheckOp, InputAndParameterGradients) {
  // Conv2D has the most geometry to cover: five rounds of its eight forced features.
  const int count = GetParam() == "Conv2D" ? 40 : 16;
  Rng rng(7);
  for (const OpCase& c : op_cases(GetParam(), count, 1234, {.gradcheck = true})) {
    OpInstance inst = instantiate_for_gradcheck(c, rng);
    EXPECT_TRUE(gradcheck(*inst.layer, inst.x, rng)) << c.label;
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, GradcheckOp, ::testing::ValuesIn(op_names()),
                         [](const auto& info) { return info.param; });

TEST(Gradcheck, SequentialModel) {
  Sequential m({2, 9, 8}, {.seed = 3});
  m.add(Conv2D({.filters = 4, .kernel = {3, 2}, .stride = {2, 1}, .padding = Padding(1, 0, 0, 1),
                .activation = Activation::tanh}));
  m.add(AvgPool2D({.pool = 2, .padding = Padding::same}));
  m.add(Conv2D({.filters = 4, .kernel = 1, .groups = 2, .activation = Activation::sigmoid}));
  m.add(Flatten());
  m.add(Dense({.units = 5, .activation = Activation::softmax}));
  Rng rng(4);
  EXPECT_TRUE(gradcheck(m, random_normal({2, 2, 9, 8}, rng), rng));
}

// y = w * x element-wise, w of one sample's shape; backward has the defect under test.
enum class Defect { none, shifted_dx, dw_one_percent_off };

class Scale : public Layer {
 public:
  explicit Scale(Defect d) : defect_(d) {}
  std::string type() const override { return "Scale"; }
  Shape output_shape(const Shape& in) const override { return in; }
  void allocate(const Shape& in) override {
    w_ = Tensor(in);
    dw_ = Tensor(in);
  }
  void reset_parameters(Rng& rng) override {
    for (float& v : w_) v = rng.normal();
  }
  std::vector<Param> params() override { return {{"weight", &w_, &dw_}}; }

  Tensor forward(const Tensor& x, Mode) override {
    x_ = x;
    Tensor y(x.shape());
    for (int64_t i = 0; i < x.numel(); ++i) y[i] = w_[i % w_.numel()] * x[i];
    return y;
  }
  Tensor backward(const Tensor& dy) override {
    const int64_t n = dy.numel(), m = w_.numel();
    Tensor dx(dy.shape());
    for (int64_t i = 0; i < n; ++i) {
      const int64_t j = defect_ == Defect::shifted_dx ? (i + 1) % n : i;
      dx[i] = dy[j] * w_[j % m];
      dw_[i % m] += dy[i] * x_[i];
    }
    if (defect_ == Defect::dw_one_percent_off) {
      float* largest = std::max_element(dw_.begin(), dw_.end(),
                                        [](float a, float b) { return std::abs(a) < std::abs(b); });
      *largest *= 1.01f;
    }
    return dx;
  }

 private:
  Defect defect_;
  Tensor w_, dw_, x_;
};

::testing::AssertionResult check_scale(Defect d) {
  Scale layer(d);
  Rng rng(5);
  layer.build({3, 4}, rng);
  return gradcheck(layer, random_normal({2, 3, 4}, rng), rng);
}

TEST(Gradcheck, PassesACorrectLayer) { EXPECT_TRUE(check_scale(Defect::none)); }
TEST(Gradcheck, CatchesAnOffByOneInputGradient) {
  const auto r = check_scale(Defect::shifted_dx);
  EXPECT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("d/dx [2, 3, 4]"), std::string::npos) << r.message();
}
TEST(Gradcheck, CatchesAOnePercentParameterGradientError) {
  const auto r = check_scale(Defect::dw_one_percent_off);
  EXPECT_FALSE(r);
  EXPECT_NE(std::string(r.message()).find("d/dweight [3, 4]: 1 of 12"), std::string::npos)
      << r.message();
}

}  // namespace
}  // namespace convnet::test
