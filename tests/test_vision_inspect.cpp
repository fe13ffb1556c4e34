// Looking inside models (convnet/vision/inspect.h, image_grid.h, Model::forward_to): kernel and
// feature-map grids hold the right values at the right places, receptive fields match a hand
// derivation, and the show-filters / show-features / receptive-field commands write what they say.
#include <gtest/gtest.h>

#include <algorithm>

#include "convnet/data/images.h"
#include "convnet/layers.h"
#include "convnet/vision/inspect.h"
#include "convnet/zoo.h"
#include "support/compare.h"
#include "support/python_golden.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using testing::TempDir;

// (v - min) / (max - min) over one filter or map; 0 for a constant one.
float stretched(const float* begin, int64_t n, float v) {
  const auto [lo, hi] = std::minmax_element(begin, begin + n);
  return *hi > *lo ? (v - *lo) / (*hi - *lo) : 0.0f;
}

TEST(ForwardTo, SequentialStopsAtTheNamedLayer) {
  auto model = zoo::lenet5({.seed = 3});
  const Tensor x = test::random_uniform({2, 1, 28, 28}, 1);
  Tensor h = x;
  for (Layer* l : model->layers()) {
    h = l->forward(h, Mode::eval);
    EXPECT_TRUE(golden::all_close(model->forward_to(x, l->name()), h, 0, 0)) << l->name();
  }
  EXPECT_TRUE(golden::all_close(model->forward_to(x, "dense_2"), model->forward(x), 0, 0));
  EXPECT_THROW(model->forward_to(x, "conv9"), std::invalid_argument);
}

TEST(ForwardTo, GraphRunsOnlyTheNodesBefore) {
  Graph g;
  auto in = g.input({2, 6, 6});
  auto a = g.add(
      Conv2D({.filters = 2, .kernel = 3, .padding = Padding::same, .activation = Activation::relu}),
      in);
  auto sum = g.add(Add(), {a, in});
  g.set_outputs({g.add(Flatten(), sum)});
  const Tensor x = test::random_uniform({1, 2, 6, 6}, 2);
  const Tensor conv = g.layer("conv2d").forward(x, Mode::eval);
  EXPECT_TRUE(golden::all_close(g.forward_to(x, "conv2d"), conv, 0, 0));
  Tensor expected = conv.clone();
  for (int64_t i = 0; i < expected.numel(); ++i) expected[i] += x[i];
  EXPECT_TRUE(golden::all_close(g.forward_to(x, "add"), expected, 0, 0));
  EXPECT_THROW(g.forward_to(x, "input"), std::invalid_argument);  // not a layer
}

TEST(ImageGrid, TilesAreEnlargedAndPlacedWithGaps) {
  Tensor tiles({5, 1, 2, 3});
  for (int64_t i = 0; i < tiles.numel(); ++i) tiles[i] = float(i) / 30.0f;
  const Tensor grid = tile_images(tiles, {.columns = 2, .scale = 4, .gap = 1, .background = 0.5f});
  // 3 rows of 2: height 3 * (2*4 + 1) - 1, width 2 * (3*4 + 1) - 1.
  ASSERT_EQ(grid.shape(), Shape({1, 26, 25}));
  // Tile 3 (row 1, column 1), its pixel (1, 2), enlarged to 4x4 at (9 + 4, 13 + 8).
  for (int64_t dy = 0; dy < 4; ++dy)
    for (int64_t dx = 0; dx < 4; ++dx)
      EXPECT_FLOAT_EQ(grid.at(0, 9 + 4 + dy, 13 + 8 + dx), tiles.at(3, 0, 1, 2));
  EXPECT_FLOAT_EQ(grid.at(0, 8, 0), 0.5f);    // the gap below the first row
  EXPECT_FLOAT_EQ(grid.at(0, 20, 20), 0.5f);  // the empty sixth cell
  EXPECT_EQ(tile_images(Tensor({6, 3, 5, 5})).shape(), Shape({3, 2 * 62 - 2, 3 * 62 - 2}));
  EXPECT_THROW(tile_images(Tensor({2, 2, 3, 3})), std::invalid_argument);
}

TEST(FilterGrid, FirstLayerKernelsOneTileEach) {
  auto model = zoo::lenet5({.seed = 4});
  const Tensor grid = filter_grid(*model);
  // 6 kernels 5x5 at 12 px per tap (auto scale 64 / 5), 3 columns x 2 rows, gaps of 2.
  ASSERT_EQ(grid.shape(), Shape({1, 2 * 62 - 2, 3 * 62 - 2}));
  const Tensor& w = static_cast<Conv2D&>(model->layer("conv2d")).weight();
  for (int64_t k = 0; k < 6; ++k)
    for (int64_t y = 0; y < 5; ++y)
      for (int64_t x = 0; x < 5; ++x)
        EXPECT_NEAR(grid.at(0, (k / 3) * 62 + y * 12 + 5, (k % 3) * 62 + x * 12 + 7),
                    stretched(w.data() + k * 25, 25, w.at(k, 0, y, x)), 1e-6);
}

TEST(FilterGrid, RgbKernelsAreColourAndDeeperLayersOneRowPerFilter) {
  Sequential m({3, 16, 16});
  m.add(Conv2D({.filters = 4, .kernel = 3}));
  m.add(Conv2D({.filters = 5, .kernel = 3}));
  const Tensor rgb = filter_grid(m, "", {.scale = 2, .gap = 1});
  EXPECT_EQ(rgb.shape(), Shape({3, 2 * 7 - 1, 2 * 7 - 1}));
  // Tile 1's green tap (2, 0), stretched over all three channels of filter 1.
  const Tensor& w = static_cast<Conv2D&>(m.layer("conv2d")).weight();
  EXPECT_NEAR(rgb.at(1, 4, 7 + 1), stretched(w.data() + 27, 27, w.at(1, 1, 2, 0)), 1e-6);
  const Tensor deep = filter_grid(m, "conv2d_1", {.scale = 2, .gap = 1});
  EXPECT_EQ(deep.shape(), Shape({1, 5 * 7 - 1, 4 * 7 - 1}));  // 5 filters x 4 input channels
  EXPECT_THROW(filter_grid(m, "missing"), std::invalid_argument);
}

TEST(FeatureGrid, EachMapStretchedToItsOwnRange) {
  auto model = zoo::lenet5({.seed = 5});
  const Tensor image = test::random_uniform({1, 28, 28}, 6);
  const Tensor grid = feature_grid(*model, image, "avg_pool2d_1", {.scale = 2, .gap = 2});
  // 16 maps 5x5 -> 4x4 tiles of 10 px.
  ASSERT_EQ(grid.shape(), Shape({1, 4 * 12 - 2, 4 * 12 - 2}));
  const Tensor maps = model->forward_to(image.reshape({1, 1, 28, 28}), "avg_pool2d_1");
  for (int64_t k : {0, 7, 15})
    EXPECT_NEAR(grid.at(0, (k / 4) * 12 + 2 * 3, (k % 4) * 12 + 2 * 1),
                stretched(maps.data() + k * 25, 25, maps.at(0, k, 3, 1)), 1e-6);
  EXPECT_EQ(feature_grid(*model, image, "dense_2", {.scale = 8, .gap = 1}).shape(),
            Shape({1, 3 * 9 - 1, 4 * 9 - 1}));  // 10 one-pixel tiles
}

// LeNet-5: conv 5x5 'same' (pad 2), pool 2, conv 5x5 valid, pool 2. By hand, unit 0 of conv2d
// sees rows -2..2, of avg_pool2d rows -2..3, of conv2d_1 (pool units 0..4) rows -2..11.
TEST(ReceptiveField, LeNet5ByHand) {
  auto model = zoo::lenet5();
  const ReceptiveField f = receptive_field(*model, "conv2d_1");
  EXPECT_EQ(f.size, Size2(14));
  EXPECT_EQ(f.jump, Size2(2));
  const ReceptiveField::Region last = f.region(9, 4);
  EXPECT_EQ(last.top, -2 + 18);
  EXPECT_EQ(last.bottom, 11 + 18);
  EXPECT_EQ(last.left, -2 + 8);
  EXPECT_EQ(last.right, 11 + 8);
  const ReceptiveField p = receptive_field(*model, "avg_pool2d");
  EXPECT_EQ(p.region(0, 0).top, -2);
  EXPECT_EQ(p.region(0, 0).bottom, 3);
}

std::string cli(const std::string& args, int& status) {
  return testing::run_command(std::string(CONVNET_CLI) + " " + args + " 2>&1", status);
}

TEST(InspectCli, ShowFiltersShowFeaturesAndReceptiveField) {
  TempDir dir;
  write_png(dir.file("in.png"),
            test::random_uniform({1, 20, 30}, 7));  // resized to 28x28 by the tool
  int status = 0;
  std::string out = cli("show-filters lenet5 --layer conv2d_1 -o " + dir.file("f.png"), status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(read_image(dir.file("f.png")).shape(), Shape({1, 16 * 62 - 2, 6 * 62 - 2}));
  out =
      cli("show-features lenet5 " + dir.file("in.png") + " --layer conv2d -o " + dir.file("m.png"),
          status);
  ASSERT_EQ(status, 0) << out;
  // 6 maps 28x28 at scale 2 (64 / 28): 3 x 2 tiles of 56 px with gaps of 2.
  EXPECT_EQ(read_image(dir.file("m.png")).shape(), Shape({1, 2 * 58 - 2, 3 * 58 - 2}));
  out = cli("receptive-field lenet5 --layer conv2d_1 --unit 9,4", status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("14x14"), std::string::npos) << out;
  EXPECT_NE(out.find("rows 16..29, columns 6..19"), std::string::npos) << out;
  out = cli("show-features lenet5 " + dir.file("in.png") + " --layer nope -o x.png", status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("conv2d_1"), std::string::npos) << out;  // the error lists the layers
}

}  // namespace
}  // namespace convnet
