// Autoencoders: the zoo's two models, PSNR, training without labels (the target is the input) and
// with noise (the target is the clean image), the denoise command and `train --task denoise`.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <regex>

#include "convnet/data.h"
#include "convnet/io/model_file.h"
#include "convnet/io/npy.h"
#include "convnet/optim.h"
#include "convnet/train.h"
#include "convnet/vision/metrics.h"
#include "convnet/zoo.h"
#include "support/test_files.h"
#include "train/step.h"

namespace convnet {
namespace {

Dataset first_images(const Dataset& d, int64_t n) {
  std::vector<int64_t> i(static_cast<size_t>(n));
  std::iota(i.begin(), i.end(), 0);
  Dataset out = d.subset(i);
  out.labels.clear();
  out.class_names.clear();
  return out;
}

double number_after(const std::string& text, const std::string& label) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(label + ": ([0-9.]+) dB")))
    throw std::runtime_error("no '" + label + "' in:\n" + text);
  return std::stod(m[1]);
}

TEST(Psnr, KnownValues) {
  const Tensor a = Tensor::from({4}, {0.f, 0.f, 0.f, 0.f});
  const Tensor b = Tensor::from({4}, {0.1f, -0.1f, 0.1f, -0.1f});  // MSE 0.01
  EXPECT_NEAR(psnr(b, a), 20.0, 1e-5);
  EXPECT_NEAR(psnr(b, a, 255.0), 20.0 + 20.0 * std::log10(255.0), 1e-4);
  EXPECT_DOUBLE_EQ(psnr(a, a), 100.0);
  // Per image: 20 dB and 100 dB average to 60, where the pooled MSE would give 23 dB.
  const Tensor two = Tensor::from({2, 4}, {0.1f, -0.1f, 0.1f, -0.1f, 0.f, 0.f, 0.f, 0.f});
  EXPECT_NEAR(mean_psnr(two, Tensor({2, 4})), 60.0, 1e-5);
  EXPECT_THROW(psnr(a, Tensor({3})), std::invalid_argument);
}

TEST(Autoencoder, ZooModelsMapImagesToImages) {
  for (const char* name : {"autoencoder", "denoising-autoencoder"}) {
    auto m = zoo::make_model(name);
    EXPECT_EQ(m->output_shape(), Shape({1, 28, 28})) << name;
    EXPECT_EQ(m->count_params(), 28353) << name;
    EXPECT_EQ(m->layers().back()->config().get_string("activation"), "sigmoid") << name;
  }
  EXPECT_EQ(zoo::autoencoder({.input_shape = {3, 32, 32}})->output_shape(), Shape({3, 32, 32}));
  EXPECT_THROW(zoo::autoencoder({.input_shape = {1, 30, 30}}), std::invalid_argument);
}

TEST(Autoencoder, NoisyBatchesTrainTowardsTheCleanImages) {
  Dataset d;
  d.images = Tensor({4, 1, 2, 2}, 0.5f);
  DataLoader loader(d, {.batch_size = 4, .augmentation = {.gaussian_noise = 0.2f}});
  Batch b;
  ASSERT_TRUE(loader.next(b));
  // The trainer's target is the image before the noise, not the noisy input.
  const Tensor target = batch_target(b);
  for (int64_t i = 0; i < target.numel(); ++i) EXPECT_EQ(target[i], 0.5f);
  double moved = 0;
  for (float v : b.images) moved += std::abs(v - 0.5f);
  EXPECT_GT(moved, 0.1);
  // Clipped noise stays a valid image, as a noisy PNG would be.
  DataLoader clipped(
      d, {.batch_size = 4, .augmentation = {.gaussian_noise = 1.0f, .clip_noise = true}});
  ASSERT_TRUE(clipped.next(b));
  int64_t at_bounds = 0;
  for (float v : b.images) {
    EXPECT_TRUE(v >= 0.f && v <= 1.f) << v;
    at_bounds += v == 0.f || v == 1.f;
  }
  EXPECT_GT(at_bounds, 0);
  // Without noise and labels, the target is the input itself.
  DataLoader plain(d, {.batch_size = 4});
  ASSERT_TRUE(plain.next(b));
  EXPECT_TRUE(batch_target(b).shares_storage(b.images));
}

// A few hundred steps: the denoised output must beat the noisy input it was given.
TEST(Autoencoder, DenoisingBeatsTheNoisyInput) {
  const DataSplits fashion = load_dataset("fashion-mnist");
  const Dataset train = first_images(fashion.train, 1024), test = first_images(fashion.test, 256);
  auto model = zoo::denoising_autoencoder({.seed = 1});
  model->compile(std::make_unique<Adam>(model->params(), AdamOptions{.lr = 2e-3}),
                 std::make_unique<MeanSquaredError>());
  const Augmentation noise{.gaussian_noise = 0.3f, .clip_noise = true};
  const double reconstruction_before = mean_psnr(model->predict(test.images), test.images);
  model->fit(train,
             {.epochs = 2, .batch_size = 32, .augmentation = noise, .verbose = Verbosity::quiet});
  Tensor noisy = test.images.clone();
  Rng rng(5);
  corrupt(noisy, noise, rng);
  const double noisy_psnr = mean_psnr(noisy, test.images);
  const double denoised_psnr = mean_psnr(model->predict(noisy), test.images);
  std::cout << "noisy input " << noisy_psnr << " dB, denoised " << denoised_psnr
            << " dB (untrained reconstruction " << reconstruction_before << " dB)\n";
  EXPECT_GT(denoised_psnr, noisy_psnr + 3.0);
}

TEST(AutoencoderCli, TrainDenoiseThenDenoiseAnImage) {
  testing::TempDir dir;
  // 1024 training and 128 test images of Fashion-MNIST as a Keras-style .npy folder.
  const DataSplits fashion = load_dataset("fashion-mnist");
  const Dataset train = first_images(fashion.train, 1024), test = first_images(fashion.test, 128);
  io::write_npy(dir.file("data/x_train.npy"), train.images);
  io::write_npy_labels(dir.file("data/y_train.npy"), std::vector<int32_t>(1024, 0));
  io::write_npy(dir.file("data/x_test.npy"), test.images);
  io::write_npy_labels(dir.file("data/y_test.npy"), std::vector<int32_t>(128, 0));
  const std::string model = dir.file("dae.safetensors");
  int status = 0;
  std::string out = testing::run_command(
      std::string(CONVNET_CLI) + " train --task denoise --noise 0.3 --epochs 2 --batch-size 32" +
          " --lr 2e-3 --quiet --data " + dir.file("data") + " --out " + model + " 2>&1",
      status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_GT(number_after(out, "denoised PSNR"), number_after(out, "noisy input PSNR")) << out;

  write_png(dir.file("clean.png"), Tensor::from({1, 28, 28}, fashion.test.images.data() + 7 * 784));
  out = testing::run_command(std::string(CONVNET_CLI) + " denoise " + model + " " +
                                 dir.file("clean.png") + " --noise 0.3 -o " + dir.file("out.png") +
                                 " --noisy-out " + dir.file("noisy.png") + " 2>&1",
                             status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_GT(number_after(out, "denoised PSNR"), number_after(out, "noisy PSNR")) << out;
  EXPECT_EQ(read_image(dir.file("out.png")).shape(), Shape({1, 28, 28}));
  EXPECT_EQ(read_image(dir.file("noisy.png")).shape(), Shape({1, 28, 28}));

  // A fully convolutional autoencoder runs at the image's own size (27x45: padded to 28x48 for
  // the two poolings, cropped back), not squeezed into 28x28.
  Tensor odd({1, 27, 45});
  for (int64_t y = 0; y < 27; ++y)
    for (int64_t x = 0; x < 45; ++x)
      odd.at(0, y, x) = fashion.test.images.at(x / 28 + 7, 0, y, x % 28);
  write_png(dir.file("odd.png"), odd);
  out = testing::run_command(std::string(CONVNET_CLI) + " denoise " + model + " " +
                                 dir.file("odd.png") + " --noise 0.3 -o " + dir.file("odd_out.png") +
                                 " 2>&1",
                             status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(out.find("resized"), std::string::npos) << out;
  EXPECT_GT(number_after(out, "denoised PSNR"), number_after(out, "noisy PSNR")) << out;
  EXPECT_EQ(read_image(dir.file("odd_out.png")).shape(), Shape({1, 27, 45}));
}

}  // namespace
}  // namespace convnet
