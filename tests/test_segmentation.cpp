// Segmentation: the shapes generator, segmentation folders, IoU, the U-Net trained with per-pixel
// cross-entropy on dense targets, and the make-shapes / train --task segmentation / segment
// commands.
#include <gtest/gtest.h>

#include <cmath>
#include <regex>
#include <set>

#include "convnet/data.h"
#include "convnet/optim.h"
#include "convnet/train.h"
#include "convnet/vision/image_ops.h"
#include "convnet/vision/metrics.h"
#include "convnet/vision/segmentation.h"
#include "convnet/vision/shapes.h"
#include "convnet/zoo.h"
#include "support/test_files.h"

namespace convnet {
namespace {

TEST(Shapes, ImagesMasksAndDeterminism) {
  const Dataset d = make_shapes({.count = 40, .size = 32, .seed = 3});
  ASSERT_EQ(d.images.shape(), Shape({40, 3, 32, 32}));
  ASSERT_EQ(d.targets.shape(), Shape({40, 32, 32}));
  EXPECT_EQ(d.class_names, shape_class_names());
  EXPECT_TRUE(d.labels.empty());
  std::set<float> seen;
  for (float v : d.targets) seen.insert(v);
  EXPECT_EQ(seen, (std::set<float>{0.f, 1.f, 2.f, 3.f}));
  for (float v : d.images) ASSERT_TRUE(v >= 0.f && v <= 1.f);
  // Every image shows at least one shape.
  for (int64_t n = 0; n < 40; ++n) {
    int64_t shape_pixels = 0;
    for (int64_t p = 0; p < 32 * 32; ++p) shape_pixels += d.targets[n * 1024 + p] > 0;
    EXPECT_GT(shape_pixels, 9) << "image " << n;
  }
  const Dataset again = make_shapes({.count = 40, .size = 32, .seed = 3});
  for (int64_t i = 0; i < d.images.numel(); ++i) ASSERT_EQ(d.images[i], again.images[i]);
  const Dataset other = make_shapes({.count = 40, .size = 32, .seed = 4});
  int64_t differ = 0;
  for (int64_t i = 0; i < d.targets.numel(); ++i) differ += other.targets[i] != d.targets[i];
  EXPECT_GT(differ, 1000);
}

TEST(Shapes, ACircleMaskIsADisc) {
  // One shape of each image is enough to check geometry: with max_shapes = 1 every mask is one
  // shape; the circles' areas must be close to pi r^2 for the r their extent shows.
  const Dataset d =
      make_shapes({.count = 30, .size = 64, .max_shapes = 1, .noise = 0.f, .seed = 5});
  int circles = 0;
  for (int64_t n = 0; n < 30; ++n) {
    int64_t area = 0, top = 64, bottom = -1;
    for (int64_t y = 0; y < 64; ++y)
      for (int64_t x = 0; x < 64; ++x)
        if (d.targets[n * 4096 + y * 64 + x] == 1.f) {
          ++area;
          top = std::min(top, y);
          bottom = std::max(bottom, y);
        }
    if (area == 0) continue;
    ++circles;
    const double r = double(bottom - top + 1) / 2.0;
    EXPECT_NEAR(double(area), M_PI * r * r, 0.12 * M_PI * r * r) << "image " << n;
  }
  EXPECT_GT(circles, 3);
}

TEST(Segmentation, ScoreCountsIntersectionsAndUnions) {
  // Truth: 0 0 1 1 / 2 2 2 0; prediction: 0 1 1 1 / 2 2 0 0.
  const Tensor truth = Tensor::from({2, 4}, {0, 0, 1, 1, 2, 2, 2, 0});
  const Tensor pred = Tensor::from({2, 4}, {0, 1, 1, 1, 2, 2, 0, 0});
  const SegmentationScore s = segmentation_score(pred, truth, 4);
  EXPECT_DOUBLE_EQ(s.iou[0], 2.0 / 4.0);  // {0, 7} of {0, 1, 6, 7}
  EXPECT_DOUBLE_EQ(s.iou[1], 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(s.iou[2], 2.0 / 3.0);
  EXPECT_TRUE(std::isnan(s.iou[3]));  // absent from both: not averaged
  EXPECT_DOUBLE_EQ(s.mean_iou, (0.5 + 2.0 / 3.0 + 2.0 / 3.0) / 3.0);
  EXPECT_DOUBLE_EQ(s.pixel_accuracy, 6.0 / 8.0);
  EXPECT_THROW(segmentation_score(pred, Tensor::from({2, 4}, {0, 0, 0, 0, 0, 0, 0, 4}), 4),
               std::invalid_argument);
  const Tensor scores = Tensor::from({1, 3, 1, 2}, {0.1f, 5.f, 0.7f, 5.f, 0.7f, 1.f});
  const Tensor arg = argmax_channels(scores);  // ties: the first class
  EXPECT_EQ(arg[0], 1.f);
  EXPECT_EQ(arg[1], 0.f);
}

TEST(Segmentation, FolderRoundTripAndPalette) {
  testing::TempDir dir;
  DataSplits s{make_shapes({.count = 5, .size = 16, .seed = 1}),
               make_shapes({.count = 2, .size = 16, .seed = 2})};
  save_segmentation_folder(dir.path().string(), s);
  const DataSplits back = load_segmentation_folder(dir.path().string());
  EXPECT_EQ(back.train.class_names, shape_class_names());
  ASSERT_EQ(back.train.targets.shape(), Shape({5, 16, 16}));
  ASSERT_EQ(back.test.images.shape(), Shape({2, 3, 16, 16}));
  for (int64_t i = 0; i < s.train.targets.numel(); ++i)
    ASSERT_EQ(back.train.targets[i], s.train.targets[i]);
  for (int64_t i = 0; i < s.train.images.numel(); ++i)  // 8-bit PNG: nearest of 256 levels
    ASSERT_NEAR(back.train.images[i], s.train.images[i], 0.5f / 255.f + 1e-6f);
  // A mask value beyond classes.txt is refused.
  write_png(dir.file("train/masks/00003.png"), Tensor({1, 16, 16}, 9.f / 255.f));
  EXPECT_THROW(load_segmentation_folder(dir.path().string()), std::runtime_error);

  const Tensor rgb = colorize_mask(Tensor::from({1, 4}, {0, 1, 2, 3}));
  const float want[3][4] = {{0, 128, 0, 128}, {0, 0, 128, 128}, {0, 0, 0, 0}};  // VOC's colours
  for (int c = 0; c < 3; ++c)
    for (int k = 0; k < 4; ++k) EXPECT_FLOAT_EQ(rgb.at(c, 0, k), want[c][k] / 255.f);
}

// The acceptance at CI size: 1,000 generated 32x32 images, 10 epochs (about 30 s of CPU),
// per-pixel cross-entropy through fit() on dense targets, mean IoU above 0.8 on 200 unseen images.
TEST(Segmentation, UNetReachesMeanIoUAbove08) {
  const Dataset train = make_shapes({.count = 1000, .seed = 1});
  const Dataset test = make_shapes({.count = 200, .seed = 2});
  auto model = zoo::unet_small({.seed = 1});
  model->compile(std::make_unique<Adam>(model->params(), AdamOptions{.lr = 3e-3}),
                 std::make_unique<SoftmaxCrossEntropy>());
  const auto score = [&] {
    return segmentation_score(argmax_channels(model->predict(test.images)), test.targets, 4);
  };
  const double before = score().mean_iou;
  const History h =
      model->fit(train, {.epochs = 10, .batch_size = 16, .seed = 1, .verbose = Verbosity::quiet});
  const SegmentationScore after = score();
  std::cout << "mean IoU: untrained " << before << ", after 10 epochs " << after.mean_iou
            << " (pixel accuracy " << after.pixel_accuracy << "; IoU per class";
  for (double iou : after.iou) std::cout << " " << iou;
  std::cout << ")\n";
  EXPECT_LT(h.epochs.back().loss, h.epochs.front().loss);
  // Calling every pixel background scores about 0.22 (background IoU 0.86, shapes 0).
  EXPECT_GT(after.mean_iou, 0.8);
}

TEST(SegmentationCli, MakeShapesTrainSegment) {
  testing::TempDir dir;
  const std::string data = dir.file("shapes");
  int status = 0;
  std::string out = testing::run_command(
      std::string(CONVNET_CLI) + " make-shapes " + data + " --train 64 --test 16 --size 32 2>&1",
      status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(read_image(data + "/train/images/00063.png").shape(), Shape({3, 32, 32}));
  EXPECT_EQ(read_image(data + "/preview.png").shape(), Shape({3, 2 * 128 + 2, 8 * 128 + 7 * 2}));
  const std::string model = dir.file("unet.safetensors");
  out = testing::run_command(std::string(CONVNET_CLI) + " train --task segmentation --data " +
                                 data + " --epochs 1 --batch-size 16 --out " + model + " 2>&1",
                             status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("IoU triangle +[0-9.]+"))) << out;
  EXPECT_TRUE(std::regex_search(out, std::regex("mean IoU: [0-9.]+"))) << out;
  // The model runs on an image of another size (rebuilt for it).
  write_png(dir.file("big.png"),
            make_shapes({.count = 1, .size = 48, .seed = 9}).images.reshape({3, 48, 48}));
  out = testing::run_command(std::string(CONVNET_CLI) + " segment " + model + " " +
                                 dir.file("big.png") + " --overlay -o " + dir.file("mask.png") +
                                 " 2>&1",
                             status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(read_image(dir.file("mask.png")).shape(), Shape({3, 48, 48}));
  EXPECT_NE(out.find("class 3 (triangle):"), std::string::npos) << out;
  // A size its two poolings do not divide: edge-padded to 40x48 for the model, cropped back.
  write_png(dir.file("odd.png"),
            make_shapes({.count = 1, .size = 48, .seed = 9}).images.reshape({3, 48, 48}).clone());
  const Tensor odd = crop(read_image(dir.file("odd.png")), 3, 0, 37, 45);
  write_png(dir.file("odd.png"), odd);
  out = testing::run_command(std::string(CONVNET_CLI) + " segment " + model + " " +
                                 dir.file("odd.png") + " -o " + dir.file("odd_mask.png") + " 2>&1",
                             status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(read_image(dir.file("odd_mask.png")).shape(), Shape({3, 37, 45}));
}

}  // namespace
}  // namespace convnet
