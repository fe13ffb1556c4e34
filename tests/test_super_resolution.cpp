// Super-resolution: bicubic and box resampling against PyTorch, colour conversion, training pairs,
// upscale(), a short SRCNN training, and the upscale command.
#include <gtest/gtest.h>

#include <iostream>
#include <numeric>
#include <regex>

#include "convnet/data.h"
#include "convnet/io/model_file.h"
#include "convnet/layers.h"
#include "convnet/optim.h"
#include "convnet/train.h"
#include "convnet/vision/image_ops.h"
#include "convnet/vision/metrics.h"
#include "convnet/vision/super_resolution.h"
#include "convnet/zoo.h"
#include "support/compare.h"
#include "support/python_golden.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using test::random_uniform;

TEST(ImageOps, BicubicAndAreaMatchPyTorch) {
  struct Case {
    Tensor x;
    int64_t oh, ow, factor;  // factor > 0: an area case
  };
  std::vector<Case> cases = {
      {random_uniform({1, 2, 7, 9}, 1), 13, 20, 0},  // a non-integer ratio
      {random_uniform({2, 1, 5, 6}, 2), 10, 12, 0},  // 2x, as super-resolution uses it
      {random_uniform({1, 1, 8, 8}, 3), 3, 5, 0},    // shrinking (no antialiasing, as PyTorch)
      {random_uniform({1, 2, 8, 10}, 4), 0, 0, 2},  {random_uniform({1, 1, 9, 12}, 5), 0, 0, 3},
  };
  nlohmann::json request{{"cases", nlohmann::json::array()}};
  for (const Case& c : cases)
    request["cases"].push_back(
        c.factor
            ? nlohmann::json{{"kind", "area"}, {"x", golden::to_json(c.x)}, {"factor", c.factor}}
            : nlohmann::json{
                  {"kind", "bicubic"}, {"x", golden::to_json(c.x)}, {"size", {c.oh, c.ow}}});
  const nlohmann::json response = golden::run_script("image_ops_reference.py", request);
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const Tensor got = c.factor ? downscale_area(c.x, c.factor) : resize_bicubic(c.x, c.oh, c.ow);
    EXPECT_TRUE(
        golden::all_close(got, golden::tensor_from_json(response["results"][i]["y"]), 1e-5, 1e-6))
        << "case " << i;
  }
}

TEST(ImageOps, AreaDropsPartialBlocksAndCropCuts) {
  const Tensor x = random_uniform({1, 5, 7}, 6);
  const Tensor y = downscale_area(x, 2);
  ASSERT_EQ(y.shape(), Shape({1, 2, 3}));
  EXPECT_FLOAT_EQ(y.at(0, 1, 2),
                  (x.at(0, 2, 4) + x.at(0, 2, 5) + x.at(0, 3, 4) + x.at(0, 3, 5)) / 4);
  const Tensor c = crop(x, 1, 2, 3, 4);
  ASSERT_EQ(c.shape(), Shape({1, 3, 4}));
  EXPECT_EQ(c.at(0, 2, 3), x.at(0, 3, 5));
  EXPECT_THROW(crop(x, 3, 0, 3, 1), std::invalid_argument);
  EXPECT_THROW(downscale_area(x, 6), std::invalid_argument);
}

TEST(ImageOps, PadEdgesRepeatsTheNearestPixel) {
  const Tensor x = Tensor::from({2, 2, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  const Tensor p = pad_edges(x, 1, 2, 0, 1);  // top, left, bottom, right
  ASSERT_EQ(p.shape(), Shape({2, 3, 6}));
  const float want[3][6] = {{1, 1, 1, 2, 3, 3}, {1, 1, 1, 2, 3, 3}, {4, 4, 4, 5, 6, 6}};
  for (int y = 0; y < 3; ++y)
    for (int x0 = 0; x0 < 6; ++x0) {
      EXPECT_EQ(p.at(0, y, x0), want[y][x0]) << y << ", " << x0;
      EXPECT_EQ(p.at(1, y, x0), want[y][x0] + 6) << y << ", " << x0;
    }
  EXPECT_EQ(crop(p, 1, 2, 2, 3).shape(), x.shape());
  EXPECT_THROW(pad_edges(x, -1, 0, 0, 0), std::invalid_argument);
}

TEST(ImageOps, YCbCrRoundTripAndKnownColours) {
  const Tensor rgb = random_uniform({2, 3, 4, 5}, 7);
  EXPECT_TRUE(golden::all_close(ycbcr_to_rgb(rgb_to_ycbcr(rgb)), rgb, 0, 2e-6));
  const Tensor red_white = Tensor::from({3, 1, 2}, {1.f, 1.f, 0.f, 1.f, 0.f, 1.f});
  const Tensor ycc = rgb_to_ycbcr(red_white);
  EXPECT_NEAR(ycc.at(0, 0, 0), 0.299f, 1e-6);  // Y of red
  EXPECT_NEAR(ycc.at(2, 0, 0), 1.0f, 1e-6);    // Cr of red: the most red there is
  EXPECT_NEAR(ycc.at(0, 0, 1), 1.0f, 1e-6);    // white: Y 1, no chroma
  EXPECT_NEAR(ycc.at(1, 0, 1), 0.5f, 1e-6);
  EXPECT_EQ(luminance(red_white).shape(), Shape({1, 1, 2}));
  const Tensor grey = random_uniform({1, 3, 3}, 8);
  EXPECT_TRUE(luminance(grey).shares_storage(grey));
  EXPECT_THROW(rgb_to_ycbcr(grey), std::invalid_argument);
}

TEST(SuperResolution, PairsAreBicubicLowResolutionAndTheLuminance) {
  Dataset hr;
  hr.images = random_uniform({2, 3, 9, 11}, 9);
  hr.labels = {0, 1};
  const Dataset p = super_resolution_pairs(hr, 2);
  const Tensor y = crop(luminance(hr.images), 0, 0, 8, 10);
  EXPECT_TRUE(golden::all_close(p.targets, y, 0, 0));
  EXPECT_TRUE(golden::all_close(p.images, resize_bicubic(downscale_area(y, 2), 8, 10), 0, 0));
  EXPECT_TRUE(p.labels.empty());
  EXPECT_THROW(super_resolution_pairs(hr, 1), std::invalid_argument);
}

TEST(SuperResolution, UpscaleAppliesTheModelToTheLuminanceOnly) {
  const Tensor rgb = random_uniform({3, 6, 5}, 10);
  Tensor bicubic = resize_bicubic(rgb, 12, 10);
  for (float& v : bicubic) v = std::clamp(v, 0.f, 1.f);
  EXPECT_TRUE(golden::all_close(upscale(nullptr, rgb, 2), bicubic, 0, 0));
  // An identity network (one 1x1 convolution of weight 1) changes nothing.
  Sequential identity({1, 4, 4});
  auto& conv = identity.add(Conv2D({.filters = 1, .kernel = 1}));
  conv.weight().fill(1.f);
  EXPECT_TRUE(golden::all_close(upscale(&identity, rgb, 2), bicubic, 0, 2e-6));
  // A network that doubles the luminance brightens, and leaves the chroma alone.
  conv.weight().fill(2.f);
  const Tensor brighter = rgb_to_ycbcr(upscale(&identity, Tensor(Shape{3, 6, 5}, 0.2f), 2));
  EXPECT_NEAR(brighter.at(0, 3, 3), 0.4f, 1e-5);
  EXPECT_NEAR(brighter.at(1, 3, 3), 0.5f, 1e-5);
}

// The acceptance at CI size: SRCNN trained on 4,096 Fashion-MNIST images for 3 epochs
// (about half a minute of CPU) beats bicubic enlargement on 500 test images.
TEST(SuperResolution, SrcnnBeatsBicubic) {
  const DataSplits fashion = load_dataset("fashion-mnist");
  const auto first = [](int64_t n) {
    std::vector<int64_t> i(static_cast<size_t>(n));
    std::iota(i.begin(), i.end(), 0);
    return i;
  };
  const Dataset train = super_resolution_pairs(fashion.train.subset(first(4096)), 2);
  const Dataset test = super_resolution_pairs(fashion.test.subset(first(500)), 2);
  auto model = zoo::srcnn({.seed = 1});
  const double before = mean_psnr(model->predict(test.images), test.targets);
  model->compile(std::make_unique<Adam>(model->params(), AdamOptions{.lr = 1e-3}),
                 std::make_unique<MeanSquaredError>());
  model->fit(train, {.epochs = 3, .batch_size = 16, .seed = 1, .verbose = Verbosity::quiet});
  const double after = mean_psnr(model->predict(test.images), test.targets);
  const double bicubic = mean_psnr(test.images, test.targets);
  std::cout << "PSNR: untrained " << before << " dB, trained " << after << " dB, bicubic "
            << bicubic << " dB\n";
  EXPECT_GT(after, before + 3.0);
  EXPECT_GT(after, bicubic + 0.5);
}

TEST(SuperResolutionCli, UpscaleWritesTheEnlargedImageAndReportsPsnr) {
  testing::TempDir dir;
  const std::string model = dir.file("srcnn.safetensors");
  io::save_model(*zoo::srcnn({.seed = 1}), model);
  write_png(dir.file("photo.png"), random_uniform({3, 11, 8}, 11));
  int status = 0;
  std::string out = testing::run_command(std::string(CONVNET_CLI) + " upscale " + model + " " +
                                             dir.file("photo.png") + " --scale 2 -o " +
                                             dir.file("big.png") + " 2>&1",
                                         status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(read_image(dir.file("big.png")).shape(), Shape({3, 22, 16}));
  out = testing::run_command(std::string(CONVNET_CLI) + " upscale " + model + " " +
                                 dir.file("photo.png") + " --psnr -o " + dir.file("sr.png") +
                                 " --bicubic-out " + dir.file("bicubic.png") + " 2>&1",
                             status);
  ASSERT_EQ(status, 0) << out;
  // 11x8 is cut to whole 2x2 blocks: 5x4 low resolution, 10x8 back up.
  EXPECT_EQ(read_image(dir.file("sr.png")).shape(), Shape({3, 10, 8}));
  EXPECT_TRUE(std::regex_search(out, std::regex("bicubic PSNR \\(luminance\\): [0-9.]+ dB")))
      << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("model PSNR \\(luminance\\): [0-9.]+ dB"))) << out;
}

}  // namespace
}  // namespace convnet
