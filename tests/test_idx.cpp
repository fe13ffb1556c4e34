// IDX reading (raw and gzipped), its strict checks, and the real Fashion-MNIST.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "convnet/data.h"
#include "convnet/io/idx.h"
#include "support/data_files.h"

namespace convnet {
namespace {

using testing::concat;
using testing::idx_header;
using testing::TempDir;
using testing::write_bytes;
using testing::write_gzip;

std::vector<uint8_t> pixel_ramp(size_t n) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = uint8_t((i * 37 + 11) % 256);
  return v;
}

// Runs f, expects a std::runtime_error whose message contains every one of `parts`.
template <typename F>
void expect_error(F f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "no exception; expected one mentioning " << *parts.begin();
  } catch (const std::runtime_error& e) {
    for (const std::string& p : parts)
      EXPECT_NE(std::string(e.what()).find(p), std::string::npos)
          << "message \"" << e.what() << "\" lacks \"" << p << "\"";
  }
}

TEST(Idx, ReadsRawImagesAndLabels) {
  TempDir dir;
  const auto pixels = pixel_ramp(3 * 2 * 4);
  write_bytes(dir.file("img"), concat(idx_header({3, 2, 4}, 0x08), pixels));
  write_bytes(dir.file("lab"), concat(idx_header({3}), {7, 0, 255}));

  const Tensor images = io::read_idx_images(dir.file("img"));
  ASSERT_EQ(images.shape(), Shape({3, 1, 2, 4}));
  for (size_t i = 0; i < pixels.size(); ++i)
    EXPECT_EQ(images[int64_t(i)], float(pixels[i]) / 255.0f);
  EXPECT_EQ(images[0], 11.0f / 255.0f);
  EXPECT_EQ(io::read_idx_labels(dir.file("lab")), std::vector<int32_t>({7, 0, 255}));
}

TEST(Idx, GzippedEqualsRawWhateverTheName) {
  TempDir dir;
  const auto bytes = concat(idx_header({5, 3, 3}), pixel_ramp(45));
  write_bytes(dir.file("raw"), bytes);
  write_gzip(dir.file("packed.gz"), bytes);
  write_gzip(dir.file("packed-without-suffix"), bytes);
  const Tensor raw = io::read_idx_images(dir.file("raw"));
  for (const char* name : {"packed.gz", "packed-without-suffix"}) {
    const Tensor gz = io::read_idx_images(dir.file(name));
    ASSERT_EQ(gz.shape(), raw.shape());
    EXPECT_TRUE(std::equal(raw.begin(), raw.end(), gz.begin())) << name;
  }
}

TEST(Idx, GenericArraysOfOneToFourDimensions) {
  TempDir dir;
  write_bytes(dir.file("a"), concat(idx_header({2, 1, 3, 2}), pixel_ramp(12)));
  const io::IdxArray a = io::read_idx(dir.file("a"));
  EXPECT_EQ(a.dims, std::vector<int64_t>({2, 1, 3, 2}));
  EXPECT_EQ(a.data, pixel_ramp(12));
}

TEST(Idx, RejectsWrongMagic) {
  TempDir dir;
  write_bytes(dir.file("labels"), concat(idx_header({3}), {1, 2, 3}));
  expect_error([&] { io::read_idx_images(dir.file("labels")); },
               {dir.file("labels"), "wrong magic 0x00000801", "expected 0x00000803"});
  write_bytes(dir.file("images"), concat(idx_header({1, 1, 1}), {1}));
  expect_error([&] { io::read_idx_labels(dir.file("images")); }, {"wrong magic 0x00000803"});
  // Type 0x0D (float) is valid IDX but not supported.
  write_bytes(dir.file("floats"), concat(idx_header({1}, 0x0D), {0, 0, 0, 0}));
  expect_error([&] { io::read_idx(dir.file("floats")); }, {"wrong magic 0x00000d01"});
  write_bytes(dir.file("text"), std::vector<uint8_t>{'h', 'e', 'l', 'l', 'o', '\n'});
  expect_error([&] { io::read_idx(dir.file("text")); }, {dir.file("text"), "wrong magic"});
}

TEST(Idx, RejectsTruncatedFiles) {
  TempDir dir;
  write_bytes(dir.file("short-magic"), std::vector<uint8_t>{0, 0});
  expect_error([&] { io::read_idx_images(dir.file("short-magic")); }, {"truncated", "magic"});
  auto header_cut = idx_header({2, 2, 2});
  header_cut.resize(9);
  write_bytes(dir.file("short-header"), header_cut);
  expect_error([&] { io::read_idx_images(dir.file("short-header")); }, {"truncated", "sizes"});
  // One pixel short: the header promises 8 bytes, the file holds 7.
  write_bytes(dir.file("short-data"), concat(idx_header({2, 2, 2}), pixel_ramp(7)));
  expect_error([&] { io::read_idx_images(dir.file("short-data")); },
               {dir.file("short-data"), "2 x 2 x 2 = 8 bytes"});
  write_bytes(dir.file("empty"), std::string());
  expect_error([&] { io::read_idx_labels(dir.file("empty")); }, {dir.file("empty"), "truncated"});
}

TEST(Idx, RejectsDataBeyondTheHeader) {
  TempDir dir;
  write_bytes(dir.file("long"), concat(idx_header({2}), {1, 2, 3}));
  expect_error([&] { io::read_idx_labels(dir.file("long")); }, {dir.file("long"), "more data"});
  write_gzip(dir.file("long.gz"), concat(idx_header({2}), {1, 2, 3}));
  expect_error([&] { io::read_idx_labels(dir.file("long.gz")); }, {"more data"});
}

TEST(Idx, GzipSizeMustMatchTheHeader) {
  TempDir dir;
  write_gzip(dir.file("short.gz"), concat(idx_header({4, 2, 2}), pixel_ramp(15)));
  expect_error([&] { io::read_idx_images(dir.file("short.gz")); },
               {dir.file("short.gz"), "truncated", "16 bytes"});
  // A gzip file cut in the middle of its deflate stream.
  const auto bytes = concat(idx_header({64, 32, 32}), pixel_ramp(64 * 32 * 32));
  write_gzip(dir.file("whole.gz"), bytes);
  auto gz = testing::read_byte_vector(dir.file("whole.gz"));
  gz.resize(gz.size() / 2);
  write_bytes(dir.file("cut.gz"), gz);
  expect_error([&] { io::read_idx_images(dir.file("cut.gz")); }, {dir.file("cut.gz"), "truncated"});
  // Corrupt deflate data.
  auto bad = testing::read_byte_vector(dir.file("whole.gz"));
  for (size_t i = 20; i < 60; ++i) bad[i] ^= 0x5a;
  write_bytes(dir.file("bad.gz"), bad);
  EXPECT_THROW(io::read_idx_images(dir.file("bad.gz")), std::runtime_error);
}

TEST(Idx, RejectsAbsurdHeadersBeforeAllocating) {
  TempDir dir;
  // 65536^3 = 2^48 elements.
  write_bytes(dir.file("huge"), idx_header({65536, 65536, 65536}));
  expect_error([&] { io::read_idx_images(dir.file("huge")); }, {dir.file("huge"), "2^31"});
  // 2^31 - 1 bytes promised by a 20-byte file (and by a tiny gzip file).
  write_bytes(dir.file("big"), concat(idx_header({2147483647}), {1, 2, 3, 4}));
  expect_error([&] { io::read_idx_labels(dir.file("big")); },
               {dir.file("big"), "more than the file holds"});
  write_gzip(dir.file("big.gz"), concat(idx_header({1000, 1000, 2000}), {1, 2, 3}));
  expect_error([&] { io::read_idx_images(dir.file("big.gz")); },
               {dir.file("big.gz"), "more than a gzip file of this size can hold"});
}

// Every cut is an error, and damaged bytes give a value or an error, never a crash (the sanitizer
// build checks that no read goes out of bounds).
TEST(Idx, SurvivesEveryTruncationAndByteFlip) {
  TempDir dir;
  const auto bytes = concat(idx_header({3, 4, 5}), pixel_ramp(60));
  write_gzip(dir.file("whole.gz"), bytes);
  const auto gz = testing::read_byte_vector(dir.file("whole.gz"));
  for (const auto* file : {&bytes, &gz})
    for (size_t n = 0; n < file->size(); ++n) {
      write_bytes(dir.file("cut"), std::vector<uint8_t>(file->begin(), file->begin() + long(n)));
      EXPECT_THROW(io::read_idx_images(dir.file("cut")), std::runtime_error) << n << " bytes";
    }
  for (const auto* file : {&bytes, &gz})
    for (size_t i = 0; i < file->size(); ++i) {
      auto damaged = *file;
      damaged[i] ^= 0xa5;
      write_bytes(dir.file("damaged"), damaged);
      try {
        EXPECT_EQ(io::read_idx_images(dir.file("damaged")).numel(), 60);
      } catch (const std::runtime_error&) {
      }
    }
}

TEST(Idx, ReportsUnreadableFiles) {
  TempDir dir;
  expect_error([&] { io::read_idx_images(dir.file("missing")); },
               {dir.file("missing"), "no such file"});
  std::filesystem::create_directories(dir.path() / "folder");
  expect_error([&] { io::read_idx_images((dir.path() / "folder").string()); },
               {"folder", "not a regular file"});
}

void write_idx_folder(const TempDir& dir, int n_train, int n_train_labels, bool gz, bool dotted) {
  auto name = [&](std::string stem) {
    if (dotted) stem.replace(stem.find("-idx"), 4, ".idx");
    return dir.file(stem + (gz ? ".gz" : ""));
  };
  auto put = [&](const std::string& path, const std::vector<uint8_t>& b) {
    gz ? write_gzip(path, b) : write_bytes(path, b);
  };
  put(name("train-images-idx3-ubyte"),
      concat(idx_header({uint32_t(n_train), 2, 3}), pixel_ramp(size_t(n_train) * 6)));
  std::vector<uint8_t> labels(static_cast<size_t>(n_train_labels));
  for (size_t i = 0; i < labels.size(); ++i) labels[i] = uint8_t(i % 3);
  put(name("train-labels-idx1-ubyte"), concat(idx_header({uint32_t(n_train_labels)}), labels));
  put(name("t10k-images-idx3-ubyte"), concat(idx_header({2, 2, 3}), pixel_ramp(12)));
  put(name("t10k-labels-idx1-ubyte"), concat(idx_header({2}), {2, 1}));
}

TEST(Idx, LoadsFoldersInEveryNaming) {
  for (bool gz : {false, true})
    for (bool dotted : {false, true}) {
      TempDir dir;
      write_idx_folder(dir, 4, 4, gz, dotted);
      const DataSplits s = load_idx_folder(dir.path().string());
      EXPECT_EQ(s.train.images.shape(), Shape({4, 1, 2, 3}));
      EXPECT_EQ(s.train.labels, std::vector<int32_t>({0, 1, 2, 0}));
      EXPECT_EQ(s.test.images.shape(), Shape({2, 1, 2, 3}));
      EXPECT_EQ(s.test.labels, std::vector<int32_t>({2, 1}));
      EXPECT_EQ(s.train.num_classes(), 3);
      // load_dataset recognizes the same folder.
      EXPECT_EQ(load_dataset(dir.path().string()).train.size(), 4);
    }
}

TEST(Idx, FolderChecksCountsAndNamesMissingFiles) {
  TempDir dir;
  write_idx_folder(dir, 4, 3, true, false);
  expect_error([&] { load_idx_folder(dir.path().string()); },
               {"4 images but 3 labels", "train-labels"});
  std::filesystem::remove(dir.path() / "t10k-labels-idx1-ubyte.gz");
  expect_error([&] { load_idx_folder(dir.path().string()); },
               {"missing t10k-labels-idx1-ubyte[.gz]"});
}

// The real data set, cross-checked against Python's own gzip reader.
TEST(Idx, LoadsFashionMnist) {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  ASSERT_TRUE(std::filesystem::is_directory(dir)) << dir << " (Debian's dataset-fashion-mnist)";
  const DataSplits s = load_dataset("fashion-mnist");
  EXPECT_EQ(s.train.images.shape(), Shape({60000, 1, 28, 28}));
  EXPECT_EQ(s.test.images.shape(), Shape({10000, 1, 28, 28}));
  ASSERT_EQ(s.train.labels.size(), 60000u);
  ASSERT_EQ(s.test.labels.size(), 10000u);
  EXPECT_EQ(s.train.num_classes(), 10);
  EXPECT_EQ(s.train.class_names.front(), "T-shirt/top");
  EXPECT_EQ(s.test.class_name(9), "Ankle boot");
  // Balanced: 6000 of each class in train, 1000 in test.
  for (int k = 0; k < 10; ++k) {
    EXPECT_EQ(std::count(s.train.labels.begin(), s.train.labels.end(), k), 6000) << k;
    EXPECT_EQ(std::count(s.test.labels.begin(), s.test.labels.end(), k), 1000) << k;
  }
  const auto [lo, hi] = std::minmax_element(s.train.images.begin(), s.train.images.end());
  EXPECT_EQ(*lo, 0.0f);
  EXPECT_EQ(*hi, 1.0f);

  // Sums of bytes and the first labels, as Python computes them from the same files.
  int64_t train_sum = 0, test_sum = 0;
  for (float v : s.train.images) train_sum += std::lround(v * 255.0f);
  for (float v : s.test.images) test_sum += std::lround(v * 255.0f);
  TempDir tmp;
  std::string script =
      "import gzip, numpy as np\n"
      "d = '" +
      dir +
      "/'\n"
      "tr = np.frombuffer(gzip.open(d + 'train-images-idx3-ubyte.gz').read()[16:], np.uint8)\n"
      "te = np.frombuffer(gzip.open(d + 't10k-images-idx3-ubyte.gz').read()[16:], np.uint8)\n"
      "la = np.frombuffer(gzip.open(d + 'train-labels-idx1-ubyte.gz').read()[8:], np.uint8)\n"
      "open('out.txt', 'w').write('%d %d %s' % (tr.sum(dtype=np.int64), te.sum(dtype=np.int64),"
      " ' '.join(map(str, la[:20]))))\n";
  ASSERT_EQ(testing::run_python(tmp, script), 0);
  std::ifstream in(tmp.file("out.txt"));
  int64_t py_train = -1, py_test = -1;
  in >> py_train >> py_test;
  EXPECT_EQ(train_sum, py_train);
  EXPECT_EQ(test_sum, py_test);
  for (int i = 0; i < 20; ++i) {
    int label = -1;
    in >> label;
    EXPECT_EQ(s.train.labels[size_t(i)], label) << "label " << i;
  }
}

TEST(Idx, LoadDatasetAcceptsNameVariantsAndThePath) {
  const DataSplits by_path = load_dataset("/usr/share/datasets/fashion-mnist");
  EXPECT_EQ(by_path.test.size(), 10000);
  EXPECT_EQ(by_path.test.class_names.size(), 10u);  // known by its folder name
  const DataSplits by_alias = load_dataset("Fashion_MNIST");
  EXPECT_EQ(by_alias.test.labels, by_path.test.labels);
}

TEST(Idx, LoadDatasetListsWhatItLookedFor) {
  expect_error([] { load_dataset("no-such-data-set"); },
               {"no-such-data-set", "fashion-mnist", "mnist", "train-images-idx3-ubyte",
                "x_train.npy", "train/ and test/", "Looked in"});
  // "mnist" is known but may not be installed here; then the error says where it looked.
  if (!std::filesystem::exists("/usr/share/datasets/mnist"))
    expect_error([] { load_dataset("mnist"); }, {"/usr/share/datasets/mnist (no such folder)"});
}

}  // namespace
}  // namespace convnet
