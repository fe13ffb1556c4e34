// Shape errors: every layer reports a shape it cannot take as convnet::ShapeError naming the layer,
// the shape it received and the shape it expected; Sequential reports it when the layer is added.
#include <gtest/gtest.h>

#include <functional>

#include "convnet/layers.h"
#include "convnet/sequential.h"

namespace convnet {
namespace {

// Runs f, which must throw ShapeError with every fragment in its message.
::testing::AssertionResult throws_shape_error(const std::function<void()>& f,
                                              const std::vector<std::string>& fragments) {
  try {
    f();
  } catch (const ShapeError& e) {
    const std::string message = e.what();
    for (const std::string& fragment : fragments)
      if (message.find(fragment) == std::string::npos)
        return ::testing::AssertionFailure()
               << "message \"" << message << "\" lacks \"" << fragment << "\"";
    return ::testing::AssertionSuccess() << message;
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "threw nothing";
}

TEST(ShapeErrors, Conv2DKernelLargerThanPaddedInput) {
  Sequential m({1, 2, 3});
  EXPECT_TRUE(throws_shape_error([&] { m.add(Conv2D({.filters = 2, .kernel = 5, .padding = 1})); },
                                 {"conv2d (Conv2D)", "received input shape [1, 2, 3]",
                                  "expected [C, H, W] with H + 2 >= 5 and W + 2 >= 5"}));
  // Dilation widens the window: 3 taps 3 apart span 7.
  EXPECT_TRUE(throws_shape_error(
      [] { Conv2D({.kernel = 3, .dilation = 3}).output_shape({1, 6, 9}); },
      {"conv2d (Conv2D)", "[1, 6, 9]", "H + 0 >= 7", "window 7x7"}));
}

TEST(ShapeErrors, Conv2DChannelsNotDivisibleByGroups) {
  EXPECT_TRUE(throws_shape_error(
      [] { Conv2D({.filters = 4, .groups = 2}).output_shape({3, 8, 8}); },
      {"conv2d (Conv2D)", "[3, 8, 8]", "C divisible by groups = 2"}));
}

TEST(ShapeErrors, PoolWindowLargerThanInput) {
  EXPECT_TRUE(throws_shape_error([] { MaxPool2D({.pool = 3}).output_shape({4, 2, 5}); },
                                 {"max_pool2d (MaxPool2D)", "[4, 2, 5]", "window 3x3"}));
  EXPECT_TRUE(throws_shape_error([] { AvgPool2D({.pool = {1, 4}}).output_shape({4, 2, 3}); },
                                 {"avg_pool2d (AvgPool2D)", "[4, 2, 3]", "W + 0 >= 4"}));
}

TEST(ShapeErrors, DenseFedFeatureMapsWithoutFlatten) {
  Sequential m({3, 4, 4});
  EXPECT_TRUE(throws_shape_error([&] { m.add(Dense({.units = 10})); },
                                 {"dense (Dense)", "received input shape [3, 4, 4]",
                                  "expected [features]", "Flatten"}));
}

TEST(ShapeErrors, WrongRank) {
  EXPECT_TRUE(throws_shape_error([] { Conv2D({}).output_shape({192}); },
                                 {"conv2d (Conv2D)", "[192]", "expected [C, H, W]"}));
  EXPECT_TRUE(throws_shape_error([] { MaxPool2D().output_shape({8, 8}); },
                                 {"max_pool2d (MaxPool2D)", "[8, 8]", "expected [C, H, W]"}));
  EXPECT_TRUE(throws_shape_error([] { GlobalAvgPool2D().output_shape({16}); },
                                 {"global_avg_pool2d (GlobalAvgPool2D)", "[16]", "[C, H, W]"}));
  EXPECT_TRUE(throws_shape_error([] { ReLU().output_shape({}); },
                                 {"relu (ReLU)", "received input shape []", "rank >= 1"}));
  // A batch without its batch dimension.
  EXPECT_TRUE(throws_shape_error([] { Conv2D({}).forward(Tensor({3, 8, 8}), Mode::eval); },
                                 {"conv2d (Conv2D)", "received batch of shape [3, 8, 8]",
                                  "expected [N, C, H, W]"}));
  EXPECT_TRUE(throws_shape_error([] { Sigmoid().forward(Tensor({5}), Mode::eval); },
                                 {"sigmoid (Sigmoid)", "received batch of shape [5]"}));
}

TEST(ShapeErrors, SequentialReportsAMismatchWhenTheLayerIsAdded) {
  Sequential m({1, 8, 8});
  m.add(Conv2D({.filters = 4, .kernel = 3}));
  m.add(Flatten());
  m.add(Dense({.units = 5}));
  // The second Dense is named dense_1 before it is built; the model stays as it was.
  EXPECT_TRUE(throws_shape_error([&] { m.add(Conv2D({.kernel = 3})); },
                                 {"conv2d_1 (Conv2D)", "received input shape [5]", "[C, H, W]"}));
  EXPECT_EQ(m.layers().size(), 3u);
  EXPECT_EQ(m.output_shape(), Shape({5}));
  EXPECT_NO_THROW(m.add(Dense({.units = 2})));
}

TEST(ShapeErrors, NamedLayerReportsItsName) {
  Sequential m({3, 4, 4});
  auto conv = std::make_unique<Conv2D>(Conv2DOptions{.kernel = 5});
  conv->set_name("stem");
  EXPECT_TRUE(throws_shape_error([&] { m.add(std::move(conv)); }, {"stem (Conv2D)", "[3, 4, 4]"}));
}

TEST(ShapeErrors, ReshapeThatDoesNotFit) {
  EXPECT_TRUE(throws_shape_error(
      [] { Reshape({.target_shape = {4, 4}}).output_shape({3, 5}); },
      {"reshape (Reshape)", "received input shape [3, 5]", "fits [4, 4] (16 elements)"}));
  EXPECT_TRUE(throws_shape_error(
      [] { Reshape({.target_shape = {-1, 4}}).output_shape({3, 5}); },
      {"reshape (Reshape)", "[3, 5]", "fits [-1, 4] (4*k elements)"}));
}

TEST(ShapeErrors, WrongChannelCountAtForward) {
  Sequential m({3, 8, 8});
  m.add(Conv2D({.filters = 4, .kernel = 3}));
  EXPECT_TRUE(throws_shape_error([&] { m.forward(Tensor({2, 4, 8, 8})); },
                                 {"conv2d (Conv2D)", "received input shape [4, 8, 8]",
                                  "expected [3, H, W] (as built)"}));
  Sequential d({10});
  d.add(Dense({.units = 3}));
  EXPECT_TRUE(throws_shape_error([&] { d.forward(Tensor({2, 12})); },
                                 {"dense (Dense)", "received input shape [12]", "[10] (as built)"}));
}

TEST(ShapeErrors, SpatialSizeTooSmallAtForward) {
  Sequential m({2, 8, 8});
  m.add(Conv2D({.filters = 4, .kernel = 3}));
  m.add(MaxPool2D({.pool = 3}));
  // 4x4 through the 3x3 convolution leaves 2x2, too small for the 3x3 pooling window.
  EXPECT_TRUE(throws_shape_error([&] { m.forward(Tensor({1, 2, 4, 4})); },
                                 {"max_pool2d (MaxPool2D)", "received input shape [4, 2, 2]"}));
}

TEST(ShapeErrors, SequentialRejectsABatchOfTheWrongRank) {
  Sequential m({1, 8, 8});
  m.add(Conv2D({.kernel = 3}));
  EXPECT_TRUE(throws_shape_error([&] { m.forward(Tensor({1, 8, 8})); },
                                 {"sequential", "[1, 8, 8]", "expected [N, 1, 8, 8]"}));
}

}  // namespace
}  // namespace convnet
