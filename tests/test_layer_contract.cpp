// The Layer contract of layer.h, checked on every op of the registry: shapes of y and dx,
// backward answers the last *training* forward, and parameter gradients accumulate.
#include <gtest/gtest.h>

#include "support/compare.h"
#include "support/op_registry.h"

namespace convnet::test {
namespace {

constexpr int kCases = 10;

class LayerContract : public ::testing::TestWithParam<std::string> {};

std::vector<Tensor> grads_of(Layer& layer) {
  std::vector<Tensor> g;
  for (const Param& p : layer.params())
    if (p.grad) g.push_back(p.grad->clone());
  return g;
}

TEST_P(LayerContract, ShapesOfYAndDx) {
  Rng rng(11);
  for (const OpCase& c : op_cases(GetParam(), kCases, 31)) {
    OpInstance inst = instantiate(c, rng);
    const Tensor y = inst.layer->forward(inst.x, Mode::train);
    EXPECT_EQ(y.shape(), inst.layer->output_shape(c.input.without_batch()).with_batch(c.input[0]))
        << c.label;
    EXPECT_EQ(inst.layer->backward(random_normal(y.shape(), rng)).shape(), c.input) << c.label;
  }
}

// An evaluation forward in between (validation during training) must not change what backward
// differentiates.
TEST_P(LayerContract, BackwardAnswersTheLastTrainingForward) {
  Rng rng(12);
  for (const OpCase& c : op_cases(GetParam(), kCases, 32)) {
    OpInstance inst = instantiate(c, rng);
    Layer& layer = *inst.layer;
    const Tensor y = layer.forward(inst.x, Mode::train);
    const Tensor dy = random_normal(y.shape(), rng);
    layer.zero_grad();
    const Tensor dx_want = layer.backward(dy).clone();
    const auto grads_want = grads_of(layer);

    layer.forward(inst.x, Mode::train);
    Shape other = c.input;  // another batch size, as a validation set's last batch has
    other[0] += 1;
    layer.forward(random_normal(other, rng), Mode::eval);
    layer.zero_grad();
    const Tensor dx = layer.backward(dy);
    EXPECT_TRUE(all_close("dx", dx.shape(), dx.data(), dx_want.data(), 0.0)) << c.label;
    const auto grads = grads_of(layer);
    for (size_t k = 0; k < grads.size(); ++k)
      EXPECT_TRUE(all_close("grad", grads[k].shape(), grads[k].data(), grads_want[k].data(), 0.0))
          << c.label;
  }
}

TEST_P(LayerContract, ParameterGradientsAccumulate) {
  Rng rng(13);
  for (const OpCase& c : op_cases(GetParam(), kCases, 33)) {
    OpInstance inst = instantiate(c, rng);
    Layer& layer = *inst.layer;
    const Tensor dy = random_normal(layer.forward(inst.x, Mode::train).shape(), rng);
    layer.zero_grad();
    layer.backward(dy);
    const auto once = grads_of(layer);
    layer.forward(inst.x, Mode::train);
    layer.backward(dy);
    const auto twice = grads_of(layer);
    for (size_t k = 0; k < once.size(); ++k) {
      Tensor doubled = once[k].clone();
      for (float& v : doubled) v *= 2.0f;
      EXPECT_TRUE(all_close("grad", twice[k].shape(), twice[k].data(), doubled.data(), 1e-6))
          << c.label;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Registry, LayerContract, ::testing::ValuesIn(op_names()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace convnet::test
