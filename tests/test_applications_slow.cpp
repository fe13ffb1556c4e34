// The applications trained for real, through the CLI as a user would run them (minutes each, CTest
// label "slow"): the figures the README quotes are printed here.
//   ctest --test-dir build -L slow --output-on-failure
#include <gtest/gtest.h>

#include <iostream>
#include <regex>
#include <string>

#include "convnet/data.h"
#include "support/test_files.h"

namespace convnet {
namespace {

std::string cli(const std::string& args) {
  int status = 0;
  const std::string command = std::string(CONVNET_CLI) + " " + args + " 2>&1";
  std::cout << "$ convnet " << args << "\n" << std::flush;
  const std::string out = testing::run_command(command, status);
  std::cout << out << std::flush;
  EXPECT_EQ(status, 0) << command;
  return out;
}

// The number after "label: " (and before an optional unit).
double figure(const std::string& text, const std::string& label) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(label + ": ([0-9.]+)")))
    throw std::runtime_error("no '" + label + "' in the output");
  return std::stod(m[1]);
}

TEST(SlowApplications, DenoisingAndConvolutionalAutoencoders) {
  testing::TempDir dir;
  const std::string dae = dir.file("dae.safetensors");
  const std::string out =
      cli("train --task denoise --noise 0.3 --epochs 2 --lr 2e-3 --quiet --out " + dae);
  EXPECT_GT(figure(out, "denoised PSNR"), figure(out, "noisy input PSNR") + 5.0);
  const std::string ae =
      cli("train --task autoencoder --epochs 1 --quiet --out " + dir.file("ae.safetensors"));
  EXPECT_GT(figure(ae, "reconstruction PSNR"), 20.0);

  const Dataset test = load_dataset("fashion-mnist").test;
  write_png(dir.file("bag.png"), Tensor::from({1, 28, 28}, test.images.data() + 29 * 784));
  const std::string one = cli("denoise " + dae + " " + dir.file("bag.png") + " --noise 0.3 -o " +
                              dir.file("clean.png"));
  EXPECT_GT(figure(one, "denoised PSNR"), figure(one, "noisy PSNR"));
}

TEST(SlowApplications, SrcnnBeatsBicubic) {
  testing::TempDir dir;
  const std::string model = dir.file("srcnn.safetensors");
  const std::string out =
      cli("train --task super-resolution --scale 2 --epochs 1 --quiet --out " + model);
  EXPECT_GT(figure(out, "model PSNR"), figure(out, "bicubic PSNR") + 1.0);

  // Eight test images side by side, as one picture, downscaled and enlarged back.
  const Dataset test = load_dataset("fashion-mnist").test;
  Tensor strip({1, 28, 8 * 28});
  for (int64_t i = 0; i < 8; ++i)
    for (int64_t y = 0; y < 28; ++y)
      for (int64_t x = 0; x < 28; ++x) strip.at(0, y, i * 28 + x) = test.images.at(i, 0, y, x);
  write_png(dir.file("strip.png"), strip);
  const std::string up = cli("upscale " + model + " " + dir.file("strip.png") +
                             " --scale 2 --psnr -o " + dir.file("sr.png"));
  EXPECT_GT(figure(up, "model PSNR \\(luminance\\)"), figure(up, "bicubic PSNR \\(luminance\\)"));
}

TEST(SlowApplications, UNetSegmentsShapes) {
  testing::TempDir dir;
  const std::string data = dir.file("shapes");
  cli("make-shapes " + data + " --train 2000 --test 500");
  const std::string model = dir.file("unet.safetensors");
  const std::string out = cli("train --task segmentation --data " + data +
                              " --epochs 6 --batch-size 16 --lr 3e-3 --quiet --out " + model);
  EXPECT_GT(figure(out, "mean IoU"), 0.8);
  const std::string seg =
      cli("segment " + model + " " + data + "/test/images/00000.png -o " + dir.file("mask.png"));
  EXPECT_NE(seg.find("class 0 (background):"), std::string::npos) << seg;
}

TEST(SlowApplications, TransferLearningExample) {
  int status = 0;
  const std::string out =
      testing::run_command(std::string(CONVNET_EXAMPLES_DIR) + "/transfer_learning 2>&1", status);
  std::cout << out;
  ASSERT_EQ(status, 0);
  // The rows of the fewest labels: scratch, frozen encoder, fine-tuned. With 5 and 10 digits a
  // class, the encoder pretrained on Fashion-MNIST beats training from scratch (measured: 0.416 ->
  // 0.473, +5.6 points, and 0.539 -> 0.594, +5.5; means of 3 labelled sets), and every way learns
  // far above the 10% of chance.
  for (const std::string per_class : {"5", "10"}) {
    std::smatch m;
    const std::regex row(" +" + per_class + " +([0-9.]+) +([0-9.]+) +([0-9.]+) ");
    ASSERT_TRUE(std::regex_search(out, m, row)) << per_class;
    const double scratch = std::stod(m[1]), frozen = std::stod(m[2]), fine_tuned = std::stod(m[3]);
    EXPECT_GT(scratch, 0.3);
    EXPECT_GT(fine_tuned, 0.3);
    EXPECT_GT(frozen - scratch, 0.03) << per_class << " per class";
  }
}

}  // namespace
}  // namespace convnet
