// Classic image filters (convnet/vision/filters.h) against SciPy on a real photograph
// (tests/golden/filters_reference.py), the kernels' own properties, and `convnet filter` end to
// end.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "convnet/data/images.h"
#include "convnet/io/npy.h"
#include "convnet/vision/filters.h"
#include "support/python_golden.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using golden::all_close;
using testing::TempDir;

struct Case {
  std::string spec;
  int64_t stride;
  std::string padding;
};

// An asymmetric, non-square kernel: any flip or transposition changes the response.
const char* const kFileKernel = "# a 3x5 test kernel\n1, 2, 0, -1, 3\n0 1 0 0 -2\n2 -1 1 0 1\n";

// One SciPy run for the whole suite: the photo and every case's response and display image.
class FiltersVsScipy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    std::ofstream(dir_->file("kernel.txt")) << kFileKernel;
    cases_ = {{"sobel-x", 1, "same"},
              {"sobel-y", 1, "same"},
              {"sobel", 1, "same"},
              {"laplacian", 1, "valid"},
              {"sharpen", 2, "same"},
              {"box:4", 1, "same"},
              {"gaussian", 1, "same"},
              {"gaussian:5:1.0", 3, "valid"},
              {dir_->file("kernel.txt"), 2, "same"}};
    nlohmann::json request{{"dir", dir_->path().string()}, {"cases", nlohmann::json::array()}};
    for (const Case& c : cases_)
      request["cases"].push_back({{"spec", c.spec}, {"stride", c.stride}, {"padding", c.padding}});
    golden::run_script("filters_reference.py", request);
  }
  static void TearDownTestSuite() { delete dir_; }

  static FilterOptions options(const Case& c) {
    return {.stride = c.stride, .padding = Padding::mode_from_name(c.padding)};
  }
  static Tensor reference(const std::string& what, size_t i) {
    return io::read_npy(dir_->file(what + "_" + std::to_string(i) + ".npy"));
  }
  static Tensor image() { return io::read_npy(dir_->file("image.npy")); }

  static TempDir* dir_;
  static std::vector<Case> cases_;
};
TempDir* FiltersVsScipy::dir_ = nullptr;
std::vector<Case> FiltersVsScipy::cases_;

TEST_F(FiltersVsScipy, TheImageIsARealColourPhotograph) {
  const Tensor img = image();
  ASSERT_EQ(img.shape(), Shape({3, 384, 512}));
  double mean = 0;
  for (float v : img) mean += v;
  mean /= double(img.numel());
  EXPECT_GT(mean, 0.2);
  EXPECT_LT(mean, 0.8);
}

TEST_F(FiltersVsScipy, KernelsMatchTheirDefinitions) {
  for (size_t i = 0; i < cases_.size(); ++i) {
    if (cases_[i].spec == "sobel") continue;
    SCOPED_TRACE(cases_[i].spec);
    EXPECT_TRUE(all_close(make_kernel(cases_[i].spec), reference("kernel", i), 1e-6, 1e-7));
  }
}

TEST_F(FiltersVsScipy, ResponsesMatchScipyCorrelate) {
  const Tensor img = image();
  for (size_t i = 0; i < cases_.size(); ++i) {
    const Case& c = cases_[i];
    SCOPED_TRACE(c.spec + " stride " + std::to_string(c.stride) + " " + c.padding);
    const Tensor got = c.spec == "sobel" ? sobel_magnitude(img, options(c))
                                         : filter_image(img, make_kernel(c.spec), options(c));
    EXPECT_TRUE(all_close(got, reference("response", i), 1e-5, 1e-5));
  }
}

TEST_F(FiltersVsScipy, DisplayImagesMatchTheDocumentedScaling) {
  const Tensor img = image();
  for (size_t i = 0; i < cases_.size(); ++i) {
    SCOPED_TRACE(cases_[i].spec);
    EXPECT_TRUE(all_close(apply_filter(img, cases_[i].spec, options(cases_[i])),
                          reference("display", i), 0.0, 2e-6));
  }
}

// The whole command: PNG in (the photo's exact 8-bit values), PNG out, within one rounding step.
TEST_F(FiltersVsScipy, CliWritesTheDisplayImage) {
  write_png(dir_->file("photo.png"), image());
  for (size_t i : {size_t(2), size_t(4), size_t(6)}) {  // sobel, sharpen stride 2, gaussian
    const Case& c = cases_[i];
    SCOPED_TRACE(c.spec);
    const std::string out = dir_->file("out.png");
    int status = 0;
    const std::string log = testing::run_command(
        std::string(CONVNET_CLI) + " filter " + dir_->file("photo.png") + " --kernel " + c.spec +
            " --stride " + std::to_string(c.stride) + " --padding " + c.padding + " -o " + out,
        status);
    ASSERT_EQ(status, 0) << log;
    EXPECT_TRUE(all_close(read_image(out), reference("display", i), 0.0, 0.5 / 255 + 1e-6));
  }
}

TEST(Filters, GaussianKernelsSumToOnePeakInTheCentreAndAreSymmetric) {
  for (const std::string spec : {"gaussian", "gaussian:5", "gaussian:15:4", "gaussian:4:0.8"}) {
    SCOPED_TRACE(spec);
    const Tensor k = make_kernel(spec);
    const int64_t n = k.dim(0);
    ASSERT_EQ(k.dim(1), n);
    double sum = 0;
    for (float v : k) sum += v;
    EXPECT_NEAR(sum, 1.0, 1e-6);
    for (int64_t y = 0; y < n; ++y)
      for (int64_t x = 0; x < n; ++x) {
        EXPECT_FLOAT_EQ(k.at(y, x), k.at(x, y));
        EXPECT_FLOAT_EQ(k.at(y, x), k.at(n - 1 - y, n - 1 - x));
        EXPECT_LE(k.at(y, x), k.at(n / 2, n / 2));
      }
  }
  EXPECT_EQ(make_kernel("gaussian").shape(), Shape({9, 9}));  // the lecture's 9x9
}

TEST(Filters, EdgeKernelsSumToZeroAndGiveZeroOnFlatImages) {
  const Tensor flat({1, 12, 12}, 0.7f);
  for (const std::string spec : {"sobel-x", "sobel-y", "laplacian"}) {
    SCOPED_TRACE(spec);
    const Tensor r = filter_image(flat, make_kernel(spec), {.padding = Padding::valid});
    EXPECT_EQ(r.shape(), Shape({1, 10, 10}));
    for (float v : r) EXPECT_NEAR(v, 0.0f, 1e-6f);
  }
  // sobel-x is positive where brightness rises to the right (no kernel flip).
  Tensor ramp({1, 5, 5});
  for (int64_t y = 0; y < 5; ++y)
    for (int64_t x = 0; x < 5; ++x) ramp.at(0, y, x) = float(x);
  EXPECT_FLOAT_EQ(filter_image(ramp, make_kernel("sobel-x"), {}).at(0, 2, 2), 8.0f);
  EXPECT_FLOAT_EQ(filter_image(ramp, make_kernel("sobel-y"), {}).at(0, 2, 2), 0.0f);
}

TEST(Filters, BadSpecsAreRejectedWithTheirName) {
  for (const std::string spec : {"sobel-z", "box:0", "box:x", "gaussian:9:-1", "laplacian:3",
                                 "gaussian:9:1:2", "missing-kernel.txt"}) {
    SCOPED_TRACE(spec);
    try {
      make_kernel(spec);
      ADD_FAILURE() << "no exception";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(spec.substr(0, 5)), std::string::npos) << e.what();
    }
  }
  TempDir dir;
  std::ofstream(dir.file("ragged.txt")) << "1 2 3\n4 5\n";
  EXPECT_THROW(make_kernel(dir.file("ragged.txt")), std::invalid_argument);
  EXPECT_THROW(filter_image(Tensor({4, 4}), make_kernel("box")), std::invalid_argument);
  EXPECT_THROW(apply_filter(Tensor({1, 4, 4}), "laplacian", {.display = DisplayScale::brightness}),
               std::invalid_argument);
}

}  // namespace
}  // namespace convnet
