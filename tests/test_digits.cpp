// The synthetic printed-digits set (vision/digits.h), the small labelled sets taken from a data set
// (take_per_class), image folders written back to disk (save_image_folder), and the CLI flow of
// the transfer-learning example: make-digits, then train --replace-head --freeze-until --per-class.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <set>

#include "convnet/data.h"
#include "convnet/io/model_file.h"
#include "convnet/vision/digits.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using testing::run_command;
using testing::TempDir;

// The mean image of every class.
std::vector<std::vector<double>> class_means(const Dataset& d) {
  const int64_t P = d.sample_shape().numel();
  std::vector<std::vector<double>> mean(10, std::vector<double>(size_t(P), 0.0));
  std::vector<int64_t> count(10, 0);
  for (int64_t n = 0; n < d.size(); ++n) {
    const auto k = size_t(d.labels[size_t(n)]);
    ++count[k];
    for (int64_t p = 0; p < P; ++p) mean[k][size_t(p)] += d.images[n * P + p];
  }
  for (size_t k = 0; k < 10; ++k)
    for (double& v : mean[k]) v /= double(count[k]);
  return mean;
}

TEST(Digits, SameSeedSameImagesOtherSeedOthers) {
  const Dataset a = make_digits({.count = 30, .seed = 5});
  const Dataset b = make_digits({.count = 30, .seed = 5});
  const Dataset c = make_digits({.count = 30, .seed = 6});
  ASSERT_EQ(a.images.shape(), Shape({30, 1, 28, 28}));
  EXPECT_EQ(a.labels, b.labels);
  double differ = 0;
  for (int64_t i = 0; i < a.images.numel(); ++i) {
    ASSERT_EQ(a.images[i], b.images[i]) << "at " << i;
    differ += std::abs(a.images[i] - c.images[i]);
  }
  EXPECT_GT(differ / double(a.images.numel()), 0.05);
}

TEST(Digits, ClassesAreBalancedAndNoImageIsBlank) {
  const Dataset d = make_digits({.count = 205, .size = 20, .invert = 0.5f, .seed = 1});
  EXPECT_EQ(d.class_names, digit_class_names());
  EXPECT_EQ(d.images.shape(), Shape({205, 1, 20, 20}));
  std::vector<int64_t> per_class(10, 0);
  for (int32_t l : d.labels) ++per_class[size_t(l)];
  EXPECT_EQ(per_class, (std::vector<int64_t>{21, 21, 21, 21, 21, 20, 20, 20, 20, 20}));
  for (int64_t n = 0; n < d.size(); ++n) {
    // Ink and paper differ by 0.25 at least; noise alone would not make a 0.25 spread everywhere.
    float lo = 1, hi = 0;
    for (int64_t p = 0; p < 400; ++p) {
      lo = std::min(lo, d.images[n * 400 + p]);
      hi = std::max(hi, d.images[n * 400 + p]);
      ASSERT_TRUE(d.images[n * 400 + p] >= 0.f && d.images[n * 400 + p] <= 1.f);
    }
    EXPECT_GT(hi - lo, 0.25f) << "image " << n;
  }
}

// Every image shifted and scaled to mean 0 and norm 1, so that ink and paper levels drop out.
Dataset standardized(Dataset d) {
  for (int64_t n = 0; n < d.size(); ++n) {
    float* x = d.images.data() + n * 784;
    double mean = 0, norm = 0;
    for (int64_t p = 0; p < 784; ++p) mean += x[p] / 784.0;
    for (int64_t p = 0; p < 784; ++p) norm += (x[p] - mean) * (x[p] - mean);
    for (int64_t p = 0; p < 784; ++p) x[p] = float((x[p] - mean) / std::sqrt(norm));
  }
  return d;
}

TEST(Digits, NearestClassMeanTellsTheDigitsApart) {
  // The mean image of each digit is its own: a nearest-mean classifier fit on
  // one set labels another far above the 10% of chance (labels that did not match the glyphs, or
  // one glyph for all classes, would leave it there).
  const Dataset train = standardized(make_digits({.count = 1000, .seed = 1}));
  const Dataset test = standardized(make_digits({.count = 300, .seed = 2}));
  const auto mean = class_means(train);
  int64_t right = 0;
  for (int64_t n = 0; n < test.size(); ++n) {
    size_t best = 0;
    double best_distance = INFINITY;
    for (size_t k = 0; k < 10; ++k) {
      double distance = 0;
      for (int64_t p = 0; p < 784; ++p) {
        const double e = test.images[n * 784 + p] - mean[k][size_t(p)];
        distance += e * e;
      }
      if (distance < best_distance) best_distance = distance, best = k;
    }
    right += int64_t(best) == test.labels[size_t(n)];
  }
  const double accuracy = double(right) / double(test.size());
  std::cout << "nearest class mean accuracy: " << accuracy << "\n";
  EXPECT_GT(accuracy, 0.3);  // measured: 0.45
}

TEST(Digits, MissingFontsAreAClearError) {
  TempDir dir;
  try {
    make_digits({.count = 10, .font_dir = dir.path().string()});
    FAIL() << "expected std::runtime_error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("fonts-dejavu-core"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(dir.path().string()), std::string::npos) << e.what();
  }
  EXPECT_THROW(make_digits({.count = 0}), std::invalid_argument);
}

TEST(Digits, TakePerClassGivesDisjointBalancedParts) {
  const Dataset d = make_digits({.count = 100, .size = 12, .seed = 3});
  std::set<std::vector<float>> seen;
  for (int64_t part = 0; part < 3; ++part) {
    const Dataset s = take_per_class(d, 3, part, 9);
    ASSERT_EQ(s.size(), 30);
    EXPECT_EQ(s.class_names, d.class_names);
    std::vector<int64_t> per_class(10, 0);
    for (int64_t n = 0; n < s.size(); ++n) {
      ++per_class[size_t(s.labels[size_t(n)])];
      seen.insert(std::vector<float>(s.images.data() + n * 144, s.images.data() + (n + 1) * 144));
    }
    EXPECT_EQ(per_class, std::vector<int64_t>(10, 3));
  }
  EXPECT_EQ(seen.size(), 90u);  // three parts of 30, no image twice
  // Same seed and part: the same images; another seed: others.
  EXPECT_EQ(take_per_class(d, 3, 1, 9).labels, take_per_class(d, 3, 1, 9).labels);
  const Dataset a = take_per_class(d, 3, 0, 9), b = take_per_class(d, 3, 0, 10);
  EXPECT_NE(std::vector<float>(a.images.data(), a.images.data() + a.images.numel()),
            std::vector<float>(b.images.data(), b.images.data() + b.images.numel()));
  EXPECT_THROW(take_per_class(d, 4, 2, 0), std::invalid_argument);  // 10 images a class, 12 asked
  EXPECT_THROW(take_per_class(d, 0, 0, 0), std::invalid_argument);
}

TEST(Digits, SaveImageFolderRoundTrips) {
  TempDir dir;
  const Dataset d = make_digits({.count = 23, .size = 16, .seed = 4});
  save_image_folder(dir.file("digits"), d);
  const Dataset back = load_image_folder(dir.file("digits"));
  EXPECT_EQ(back.class_names, d.class_names);
  ASSERT_EQ(back.images.shape(), d.images.shape());
  // Files are read class by class: sample n of the folder is sample order[n] of d.
  std::vector<int64_t> order;
  for (int32_t k = 0; k < 10; ++k)
    for (int64_t n = 0; n < d.size(); ++n)
      if (d.labels[size_t(n)] == k) order.push_back(n);
  const Dataset sorted = d.subset(order);
  EXPECT_EQ(back.labels, sorted.labels);
  for (int64_t i = 0; i < d.images.numel(); ++i)
    ASSERT_NEAR(back.images[i], sorted.images[i], 0.5 / 255 + 1e-6) << "at " << i;
}

std::string cli(const std::string& args, int& status) {
  return run_command(std::string(CONVNET_CLI) + " " + args + " 2>&1", status);
}

TEST(Digits, CliMakeDigitsThenTransferWithAFrozenEncoder) {
  TempDir dir;
  const std::string digits = dir.file("digits"), pre = dir.file("pre.safetensors"),
                    tuned = dir.file("tuned.safetensors");
  int status = 0;
  std::string out = cli("make-digits " + digits + " --train 100 --test 50 --seed 3", status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_TRUE(std::filesystem::exists(digits + "/train/7/00007.png")) << out;
  EXPECT_TRUE(std::filesystem::exists(digits + "/test/9/00049.png")) << out;
  EXPECT_TRUE(std::filesystem::exists(digits + "/preview.png")) << out;
  // A stand-in for the pretrained model: one epoch on a few digits.
  out = cli("train --data " + digits + " --per-class 5 --epochs 1 --quiet --out " + pre +
                " --model lenet5",
            status);
  ASSERT_EQ(status, 0) << out;
  out = cli("train --model " + pre + " --data " + digits +
                " --replace-head 10 --freeze-until dense --per-class 4 --subset 1 --epochs 2"
                " --batch-size 8 --seed 2 --out " + tuned,
            status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("test accuracy:"), std::string::npos) << out;
  EXPECT_NE(out.find("Test set (50 images)"), std::string::npos) << out;
  const auto before = io::load_model(pre).model, after = io::load_model(tuned).model;
  for (const char* frozen : {"conv2d", "conv2d_1", "dense"}) {
    const Tensor &a = *before->layer(frozen).params()[0].value,
                 &b = *after->layer(frozen).params()[0].value;
    for (int64_t i = 0; i < a.numel(); ++i) ASSERT_EQ(a[i], b[i]) << frozen << " at " << i;
  }
  const Tensor &a = *before->layer("dense_1").params()[0].value,
               &b = *after->layer("dense_1").params()[0].value;
  double moved = 0;
  for (int64_t i = 0; i < a.numel(); ++i) moved += std::abs(a[i] - b[i]);
  EXPECT_GT(moved, 0.0);  // the layer after the freeze point trains

  // One-line errors: no fonts, a subset larger than the folder.
  out = cli("make-digits " + dir.file("none") + " --fonts " + dir.file("no-fonts"), status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("fonts-dejavu-core"), std::string::npos) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  out = cli("train --data " + digits + " --per-class 5 --subset 3 --epochs 1 --out " +
                dir.file("x.safetensors"),
            status);
  EXPECT_NE(status, 0);
  EXPECT_NE(out.find("take_per_class: class '0' has 10 images"), std::string::npos) << out;
}

}  // namespace
}  // namespace convnet
