// Image files and folders: decoding PNG/JPEG/BMP, grey/RGB conversion, bilinear resizing (checked
// against PyTorch), write_png, and load_dataset on image folders.
#include <gtest/gtest.h>
#include <stb/stb_image_write.h>

#include <cmath>
#include <fstream>

#include "convnet/data.h"
#include "convnet/io/npy.h"
#include "support/data_files.h"

namespace convnet {
namespace {

using testing::TempDir;

// Interleaved pixels [H, W, C] with distinct, non-trivial values.
std::vector<uint8_t> test_pixels(int h, int w, int c, int seed = 0) {
  std::vector<uint8_t> p(size_t(h * w * c));
  for (size_t i = 0; i < p.size(); ++i) p[i] = uint8_t((i * 53 + size_t(seed) * 17 + 5) % 256);
  return p;
}

void write_image(const std::string& path, const std::vector<uint8_t>& hwc, int h, int w, int c) {
  const std::string ext = std::filesystem::path(path).extension().string();
  int ok = 0;
  if (ext == ".png")
    ok = stbi_write_png(path.c_str(), w, h, c, hwc.data(), w * c);
  else if (ext == ".bmp")
    ok = stbi_write_bmp(path.c_str(), w, h, c, hwc.data());
  else if (ext == ".jpg" || ext == ".jpeg")
    ok = stbi_write_jpg(path.c_str(), w, h, c, hwc.data(), 100);
  else if (ext == ".tga")
    ok = stbi_write_tga(path.c_str(), w, h, c, hwc.data());
  ASSERT_TRUE(ok) << path;
}

template <typename F>
void expect_error(F f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning " << *parts.begin();
  } catch (const std::exception& e) {
    for (const std::string& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "message \"" << e.what() << "\" lacks \"" << p << "\"";
  }
}

TEST(ImageFiles, LosslessFormatsReadExactly) {
  TempDir dir;
  const auto px = test_pixels(5, 7, 3);
  for (const char* name : {"a.png", "a.bmp", "a.tga"}) {
    write_image(dir.file(name), px, 5, 7, 3);
    const Tensor t = read_image(dir.file(name));
    ASSERT_EQ(t.shape(), Shape({3, 5, 7})) << name;
    for (int c = 0; c < 3; ++c)
      for (int y = 0; y < 5; ++y)
        for (int x = 0; x < 7; ++x)
          ASSERT_EQ(t.at(c, y, x), float(px[size_t((y * 7 + x) * 3 + c)]) / 255.0f)
              << name << " at " << c << "," << y << "," << x;
  }
}

TEST(ImageFiles, JpegIsCloseAndChannelsConvert) {
  TempDir dir;
  // A flat colour survives JPEG almost exactly.
  std::vector<uint8_t> flat;
  for (int i = 0; i < 16 * 16; ++i) flat.insert(flat.end(), {200, 100, 50});
  write_image(dir.file("flat.jpg"), flat, 16, 16, 3);
  const Tensor rgb = read_image(dir.file("flat.jpg"));
  ASSERT_EQ(rgb.shape(), Shape({3, 16, 16}));
  for (int c = 0; c < 3; ++c)
    EXPECT_NEAR(rgb.at(c, 8, 8), (c == 0 ? 200 : c == 1 ? 100 : 50) / 255.0f, 3.0f / 255.0f);
  // RGB -> grey with stb's luma weights (77 R + 150 G + 29 B) / 256.
  write_image(dir.file("flat.png"), flat, 16, 16, 3);
  const Tensor grey = read_image(dir.file("flat.png"), {.channels = 1});
  ASSERT_EQ(grey.shape(), Shape({1, 16, 16}));
  EXPECT_EQ(grey[0], float((200 * 77 + 100 * 150 + 50 * 29) >> 8) / 255.0f);
  // Grey -> RGB repeats the value; grey+alpha counts as grey, RGBA as RGB.
  const auto g = test_pixels(4, 4, 1);
  write_image(dir.file("g.png"), g, 4, 4, 1);
  const Tensor g3 = read_image(dir.file("g.png"), {.channels = 3});
  EXPECT_EQ(g3.at(2, 1, 3), float(g[7]) / 255.0f);
  EXPECT_EQ(g3.at(0, 1, 3), g3.at(2, 1, 3));
  write_image(dir.file("ga.png"), test_pixels(4, 4, 2), 4, 4, 2);
  EXPECT_EQ(read_image(dir.file("ga.png")).dim(0), 1);
  write_image(dir.file("rgba.png"), test_pixels(4, 4, 4), 4, 4, 4);
  EXPECT_EQ(read_image(dir.file("rgba.png")).dim(0), 3);
}

// Resizing matches torch.nn.functional.interpolate(mode="bilinear", align_corners=False).
TEST(ImageFiles, ResizeMatchesPyTorchBilinear) {
  TempDir dir;
  const auto px = test_pixels(9, 13, 3, 4);
  write_image(dir.file("src.png"), px, 9, 13, 3);
  io::write_npy(dir.file("src.npy"), read_image(dir.file("src.png")));
  const std::vector<std::pair<int, int>> sizes = {{4, 6}, {20, 31}, {9, 5}, {1, 1}, {12, 13}};
  std::string script =
      "import numpy as np, torch\n"
      "x = torch.from_numpy(np.load('src.npy'))[None]\n";
  for (auto [h, w] : sizes)
    script += "np.save('out_" + std::to_string(h) + "x" + std::to_string(w) +
              ".npy', torch.nn.functional.interpolate(x, size=(" + std::to_string(h) + ", " +
              std::to_string(w) + "), mode='bilinear', align_corners=False)[0].numpy())\n";
  ASSERT_EQ(testing::run_python(dir, script), 0);
  for (auto [h, w] : sizes) {
    const Tensor ours = read_image(dir.file("src.png"), {.height = h, .width = w});
    const Tensor want =
        io::read_npy(dir.file("out_" + std::to_string(h) + "x" + std::to_string(w) + ".npy"));
    ASSERT_EQ(ours.shape(), want.shape());
    for (int64_t i = 0; i < ours.numel(); ++i)
      ASSERT_NEAR(ours[i], want[i], 2e-6f) << h << "x" << w << " at " << i;
  }
}

TEST(ImageFiles, WritePngRoundTripsAndClamps) {
  TempDir dir;
  Tensor img({3, 2, 4});
  for (int64_t i = 0; i < img.numel(); ++i) img[i] = float(i) / 23.0f;
  img[0] = -0.5f;          // clamped to 0
  img[1] = 7.0f;           // clamped to 1
  img[2] = std::nanf("");  // written as 0
  write_png(dir.file("out.png"), img);
  const Tensor back = read_image(dir.file("out.png"));
  ASSERT_EQ(back.shape(), img.shape());
  EXPECT_EQ(back[0], 0.0f);
  EXPECT_EQ(back[1], 1.0f);
  EXPECT_EQ(back[2], 0.0f);
  for (int64_t i = 3; i < img.numel(); ++i)
    EXPECT_EQ(back[i], std::round(img[i] * 255.0f) / 255.0f) << i;
  write_png(dir.file("grey.png"), Tensor({1, 3, 3}, 0.5f));
  EXPECT_EQ(read_image(dir.file("grey.png")).shape(), Shape({1, 3, 3}));
  EXPECT_THROW(write_png(dir.file("bad.png"), Tensor({2, 3, 3})), std::invalid_argument);
  EXPECT_THROW(write_png(dir.file("bad.png"), Tensor({3, 3})), std::invalid_argument);
  EXPECT_THROW(write_png((dir.path() / "missing/dir/x.png").string(), img), std::runtime_error);
}

TEST(ImageFiles, DecodeErrorsNameTheFile) {
  TempDir dir;
  testing::write_bytes(dir.file("garbage.png"), std::vector<uint8_t>{'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'g'});
  expect_error([&] { read_image(dir.file("garbage.png")); },
               {dir.file("garbage.png"), "cannot decode"});
  write_image(dir.file("cut.png"), test_pixels(32, 32, 3), 32, 32, 3);
  auto bytes = testing::read_byte_vector(dir.file("cut.png"));
  bytes.resize(bytes.size() / 2);
  testing::write_bytes(dir.file("cut.png"), bytes);
  expect_error([&] { read_image(dir.file("cut.png")); }, {dir.file("cut.png"), "cannot decode"});
  expect_error([&] { read_image(dir.file("none.png")); }, {dir.file("none.png"), "no such file"});
  EXPECT_THROW(read_image(dir.file("garbage.png"), {.channels = 2}), std::invalid_argument);
}

// classes "cat" and "dog" (sorted, whatever the creation order); mixed formats and sizes.
void write_class_folder(const TempDir& dir, const std::string& root) {
  write_image(dir.file(root + "/dog/b.png"), test_pixels(6, 4, 1, 1), 6, 4, 1);
  write_image(dir.file(root + "/dog/a.bmp"), test_pixels(6, 4, 3, 2), 6, 4, 3);
  write_image(dir.file(root + "/cat/z.png"), test_pixels(6, 4, 1, 3), 6, 4, 1);
  write_image(dir.file(root + "/cat/nested/big.png"), test_pixels(12, 8, 1, 4), 12, 8, 1);
  std::ofstream(dir.file(root + "/cat/notes.txt")) << "not an image";
  write_image(dir.file(root + "/cat/.hidden.png"), test_pixels(6, 4, 1, 5), 6, 4, 1);
}

TEST(ImageFolder, LoadsClassesInSortedOrder) {
  TempDir dir;
  write_class_folder(dir, "data");
  const Dataset d = load_image_folder(dir.file("data"));
  EXPECT_EQ(d.class_names, std::vector<std::string>({"cat", "dog"}));
  // cat/nested/big.png, cat/z.png, dog/a.bmp, dog/b.png; the first file decides 1 x 12 x 8.
  EXPECT_EQ(d.labels, std::vector<int32_t>({0, 0, 1, 1}));
  ASSERT_EQ(d.images.shape(), Shape({4, 1, 12, 8}));
  EXPECT_EQ(d.images.at(0, 0, 5, 3), float(test_pixels(12, 8, 1, 4)[5 * 8 + 3]) / 255.0f);
  // Others are resized: z.png (6 x 4) equals its own read_image at 12 x 8.
  const Tensor z = read_image(dir.file("data/cat/z.png"), {.height = 12, .width = 8});
  EXPECT_TRUE(std::equal(z.begin(), z.end(), d.images.data() + 96));

  const Dataset rgb = load_image_folder(dir.file("data"), {.channels = 3, .height = 6, .width = 4});
  ASSERT_EQ(rgb.images.shape(), Shape({4, 3, 6, 4}));
  const auto a = test_pixels(6, 4, 3, 2);
  EXPECT_EQ(rgb.images.at(2, 1, 5, 3), float(a[(5 * 4 + 3) * 3 + 1]) / 255.0f);
}

TEST(ImageFolder, ReportsProblems) {
  TempDir dir;
  expect_error([&] { load_image_folder(dir.file("missing")); }, {"missing", "no such directory"});
  std::filesystem::create_directories(dir.path() / "empty/cls");
  expect_error([&] { load_image_folder(dir.file("empty")); }, {"empty", "no images found"});
  write_class_folder(dir, "bad");
  testing::write_bytes(dir.file("bad/dog/c.jpg"), std::vector<uint8_t>{0xff, 0xd8, 0xff, 0});
  expect_error([&] { load_image_folder(dir.file("bad")); }, {"c.jpg", "cannot decode"});
}

TEST(ImageFolder, LoadDatasetWithTrainAndTest) {
  TempDir dir;
  write_class_folder(dir, "set/train");
  write_image(dir.file("set/test/dog/t.png"), test_pixels(3, 3, 3), 3, 3, 3);
  const DataSplits s = load_dataset(dir.file("set"), {.height = 6, .width = 4});
  EXPECT_EQ(s.train.images.shape(), Shape({4, 1, 6, 4}));
  // The test set takes the train classes (only "dog" present: label 1) and the train shape.
  EXPECT_EQ(s.test.class_names, s.train.class_names);
  EXPECT_EQ(s.test.labels, std::vector<int32_t>({1}));
  EXPECT_EQ(s.test.images.shape(), Shape({1, 1, 6, 4}));

  write_image(dir.file("set/test/bird/u.png"), test_pixels(3, 3, 1), 3, 3, 1);
  expect_error([&] { load_dataset(dir.file("set")); }, {"'bird' is not one of the 2 classes"});

  // A plain class folder: everything is train, test is empty with the same sample shape.
  const DataSplits single = load_dataset(dir.file("set/train"));
  EXPECT_EQ(single.train.size(), 4);
  EXPECT_EQ(single.test.size(), 0);
  EXPECT_EQ(single.test.images.shape(), Shape({0, 1, 12, 8}));
  EXPECT_EQ(single.test.num_classes(), 2);
}

}  // namespace
}  // namespace convnet
