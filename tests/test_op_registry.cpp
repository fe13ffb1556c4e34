// The op registry itself: it covers every layer type, its configs rebuild the same layers, and its
// cases cover the geometry the other suites rely on.
#include <gtest/gtest.h>

#include <algorithm>

#include "convnet/layers.h"
#include "support/op_registry.h"

namespace convnet::test {
namespace {

TEST(OpRegistry, CoversEveryLayerType) {
  const auto ops = op_names();
  for (const std::string& type : layer_types()) {
    // Merge layers take several inputs; test_graph.cpp checks them inside graph models.
    if (type == "Add" || type == "Multiply" || type == "Concatenate") continue;
    EXPECT_NE(std::find(ops.begin(), ops.end(), type), ops.end())
        << "no op_cases generator for layer type " << type;
  }
}

TEST(OpRegistry, SameSeedSameCasesAndConfigsRoundTrip) {
  for (const std::string& op : op_names()) {
    const auto a = op_cases(op, 20, 99), b = op_cases(op, 20, 99);
    for (size_t i = 0; i < a.size(); ++i) {
      EXPECT_EQ(a[i].label, b[i].label);
      auto layer = a[i].make();
      EXPECT_EQ(layer->type(), op);
      EXPECT_EQ(make_layer(op, a[i].attrs)->config(), a[i].attrs) << a[i].label;
      EXPECT_NO_THROW(layer->output_shape(a[i].input.without_batch())) << a[i].label;
    }
  }
}

// Counts the cases of `op` (the count the gradient checks use) whose attributes satisfy `pred`.
template <typename Pred>
int count_cases(const std::string& op, int count, Pred pred) {
  int n = 0;
  for (const OpCase& c : op_cases(op, count, 1234, {.gradcheck = true})) n += pred(c) ? 1 : 0;
  return n;
}
bool above_one(const std::vector<int64_t>& v) { return v[0] > 1 || v[1] > 1; }

TEST(OpRegistry, Conv2DCasesCoverTheGeometry) {
  auto has = [](auto pred) { return count_cases("Conv2D", 9, pred); };
  EXPECT_GT(has([](const OpCase& c) { return above_one(c.attrs.get_ints("stride")); }), 0);
  EXPECT_GT(has([](const OpCase& c) { return above_one(c.attrs.get_ints("dilation")); }), 0);
  EXPECT_GT(has([](const OpCase& c) { return c.attrs.get_int("groups") > 1; }), 0);
  EXPECT_GT(has([](const OpCase& c) { return c.attrs.get_string("padding") == "same"; }), 0);
  EXPECT_GT(has([](const OpCase& c) { return !c.attrs.get_bool("use_bias"); }), 0);
  EXPECT_GT(has([](const OpCase& c) { return c.input[0] > 1; }), 0);
  EXPECT_GT(has([](const OpCase& c) { return c.input[2] % 2 == 1 || c.input[3] % 2 == 1; }), 0);
  EXPECT_GT(has([](const OpCase& c) {
              const auto k = c.attrs.get_ints("kernel");
              return k[0] != k[1];
            }),
            0);
  EXPECT_GT(has([](const OpCase& c) {
              const auto p = c.attrs.get_ints("pads", {0, 0, 0, 0});
              return p[0] != p[1] || p[2] != p[3];
            }),
            0);
}

TEST(OpRegistry, PoolCasesCoverBothPaddingCounts) {
  auto include_pad = [](const OpCase& c) { return c.attrs.get_bool("count_include_pad", false); };
  EXPECT_GT(count_cases("AvgPool2D", 12, include_pad), 0);
  EXPECT_LT(count_cases("AvgPool2D", 12, include_pad), 12);
}

}  // namespace
}  // namespace convnet::test
