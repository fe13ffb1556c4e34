// .npy reading and writing, cross-checked with NumPy in both directions, and its strict checks.
#include <gtest/gtest.h>

#include <cstring>

#include "convnet/data.h"
#include "convnet/io/npy.h"
#include "support/data_files.h"

namespace convnet {
namespace {

using testing::TempDir;
using testing::write_bytes;

// A .npy file with the given header dict, padded as version 1.0 wants, and raw data bytes.
std::vector<uint8_t> npy_file(const std::string& dict, const std::vector<uint8_t>& data,
                              int major = 1) {
  std::string header = dict;
  const size_t prefix = major == 1 ? 10 : 12;
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::vector<uint8_t> f{0x93, 'N', 'U', 'M', 'P', 'Y', uint8_t(major), 0};
  const size_t len = header.size();
  f.push_back(uint8_t(len));
  f.push_back(uint8_t(len >> 8));
  if (major != 1) {
    f.push_back(0);
    f.push_back(0);
  }
  f.insert(f.end(), header.begin(), header.end());
  f.insert(f.end(), data.begin(), data.end());
  return f;
}

std::vector<uint8_t> float_bytes(std::initializer_list<float> v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), std::data(v), b.size());
  return b;
}

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

TEST(Npy, RoundTripsFloat32) {
  TempDir dir;
  Tensor t({2, 3, 4});
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = float(i) * 0.37f - 3.0f;
  io::write_npy(dir.file("t.npy"), t);
  const Tensor back = io::read_npy(dir.file("t.npy"));
  ASSERT_EQ(back.shape(), t.shape());
  EXPECT_TRUE(std::equal(t.begin(), t.end(), back.begin()));
  // Version 1.0 header, data aligned to 64 bytes as NumPy does.
  const auto bytes = testing::read_byte_vector(dir.file("t.npy"));
  EXPECT_EQ(bytes.size(), 128u + 24 * 4);
  EXPECT_EQ(bytes[6], 1);
  EXPECT_EQ(bytes[127], '\n');
}

TEST(Npy, NumpyReadsWhatWeWrite) {
  TempDir dir;
  Tensor t({3, 1, 2, 5});
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = float(i) * 0.25f - 1.0f;
  io::write_npy(dir.file("t.npy"), t);
  io::write_npy(dir.file("vector.npy"), Tensor::from({3}, {1.5f, -2.0f, 1e-30f}));
  io::write_npy(dir.file("empty.npy"), Tensor({0, 4}));
  io::write_npy_labels(dir.file("labels.npy"), {3, 0, -7, 2147483647});
  const std::string script = R"(
import numpy as np
t = np.load('t.npy')
assert t.dtype == np.float32 and t.shape == (3, 1, 2, 5) and t.flags['C_CONTIGUOUS'], (t.dtype, t.shape)
assert (t.ravel() == np.arange(30, dtype=np.float32) * np.float32(0.25) - 1).all()
v = np.load('vector.npy')
assert v.shape == (3,) and (v == np.array([1.5, -2, 1e-30], np.float32)).all(), v
e = np.load('empty.npy')
assert e.shape == (0, 4) and e.dtype == np.float32
l = np.load('labels.npy')
assert l.dtype == np.int32 and l.tolist() == [3, 0, -7, 2147483647], l
)";
  EXPECT_EQ(testing::run_python(dir, script), 0);
}

TEST(Npy, WeReadWhatNumpyWrites) {
  TempDir dir;
  const std::string script = R"(
import numpy as np
base = (np.arange(24) * 3 - 20).reshape(2, 3, 4)
for t in ['float32', 'float64', 'int32', 'int64']:
    np.save(t + '.npy', base.astype(t) * (0.5 if t.startswith('float') else 1))
np.save('uint8.npy', (np.arange(24) * 11 % 256).astype(np.uint8).reshape(2, 3, 4))
np.save('fortran_as_c.npy', np.ascontiguousarray(np.asfortranarray(base.astype(np.float32))))
np.save('scalar.npy', np.float64(2.5))
np.save('empty.npy', np.zeros((0, 3), np.float32))
with open('v2.npy', 'wb') as f:
    np.lib.format.write_array(f, base.astype(np.float32), version=(2, 0))
np.save('labels_i64.npy', np.array([4, 0, 9], np.int64))
np.save('labels_u8.npy', np.array([[1], [2], [255]], np.uint8))
np.save('labels_f64.npy', np.array([1.0, 3.0], np.float64))
np.save('labels_frac.npy', np.array([1.0, 3.5], np.float64))
)";
  ASSERT_EQ(testing::run_python(dir, script), 0);
  for (const char* t : {"float32", "float64", "int32", "int64"}) {
    const Tensor x = io::read_npy(dir.file(std::string(t) + ".npy"));
    ASSERT_EQ(x.shape(), Shape({2, 3, 4})) << t;
    const float scale = t[0] == 'f' ? 0.5f : 1.0f;
    for (int64_t i = 0; i < 24; ++i) EXPECT_EQ(x[i], float(i * 3 - 20) * scale) << t << " at " << i;
  }
  const Tensor u = io::read_npy(dir.file("uint8.npy"));
  for (int64_t i = 0; i < 24; ++i) EXPECT_EQ(u[i], float(i * 11 % 256)) << "uint8 is not rescaled";
  EXPECT_EQ(io::read_npy_info(dir.file("uint8.npy")).dtype, "uint8");
  EXPECT_EQ(io::read_npy_info(dir.file("int64.npy")).shape, std::vector<int64_t>({2, 3, 4}));
  const Tensor v2 = io::read_npy(dir.file("v2.npy"));
  EXPECT_EQ(v2.shape(), Shape({2, 3, 4}));
  EXPECT_EQ(v2[23], 23.0f * 3 - 20);
  EXPECT_EQ(io::read_npy(dir.file("fortran_as_c.npy"))[5], 5.0f * 3 - 20);
  const Tensor scalar = io::read_npy(dir.file("scalar.npy"));
  EXPECT_EQ(scalar.rank(), 0u);
  EXPECT_EQ(scalar[0], 2.5f);
  EXPECT_EQ(io::read_npy(dir.file("empty.npy")).shape(), Shape({0, 3}));

  EXPECT_EQ(io::read_npy_labels(dir.file("labels_i64.npy")), std::vector<int64_t>({4, 0, 9}));
  EXPECT_EQ(io::read_npy_labels(dir.file("labels_u8.npy")), std::vector<int64_t>({1, 2, 255}));
  EXPECT_EQ(io::read_npy_labels(dir.file("labels_f64.npy")), std::vector<int64_t>({1, 3}));
  expect_error([&] { io::read_npy_labels(dir.file("labels_frac.npy")); },
               {"label 1 is not an integer"});
  expect_error([&] { io::read_npy_labels(dir.file("int32.npy")); },
               {"(N,) or (N, 1)", "(2, 3, 4)"});
}

TEST(Npy, RejectsWhatItCannotRead) {
  TempDir dir;
  const auto data = float_bytes({1, 2, 3, 4});
  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    const char* problem;
  };
  const std::vector<Case> cases = {
      {"big_endian", npy_file("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", data),
       "unsupported dtype '>f4'"},
      {"fortran", npy_file("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data),
       "Fortran-order"},
      {"half", npy_file("{'descr': '<f2', 'fortran_order': False, 'shape': (4,), }", data),
       "unsupported dtype '<f2'"},
      {"no_shape", npy_file("{'descr': '<f4', 'fortran_order': False, }", data), "lacks"},
      {"garbled", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4,; }", data),
       "malformed header"},
      {"short", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", data),
       "more than the file holds"},
      {"long", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", data),
       "more data than"},
      {"huge",
       npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", data),
       "2^31"},
      {"huge_dim",
       npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
                data),
       "too large"},
      {"version", npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", data, 9),
       "version 9"},
      {"magic", {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0}, "not a .npy file"},
      {"cut", {0x93, 'N', 'U', 'M'}, "truncated"},
      {"header_len", {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0xff, 0xff, '{'}, "header length 65535"},
  };
  for (const Case& c : cases) {
    const std::string path = dir.file(std::string(c.name) + ".npy");
    write_bytes(path, c.bytes);
    expect_error([&] { io::read_npy(path); }, {path, c.problem});
  }
  // The hand-made writer itself is right: the same header with matching data reads.
  write_bytes(dir.file("ok.npy"),
              npy_file("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", data));
  EXPECT_EQ(io::read_npy(dir.file("ok.npy"))[3], 4.0f);
  expect_error([&] { io::read_npy(dir.file("missing.npy")); }, {"missing.npy", "no such file"});
}

// Every cut is an error, and damaged bytes give a value or an error, never a crash.
TEST(Npy, SurvivesEveryTruncationAndByteFlip) {
  TempDir dir;
  io::write_npy(dir.file("t.npy"), Tensor({2, 3}, 1.5f));
  const auto bytes = testing::read_byte_vector(dir.file("t.npy"));
  for (size_t n = 0; n < bytes.size(); ++n) {
    write_bytes(dir.file("cut.npy"), std::vector<uint8_t>(bytes.begin(), bytes.begin() + long(n)));
    EXPECT_THROW(io::read_npy(dir.file("cut.npy")), std::runtime_error) << n << " bytes";
  }
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto damaged = bytes;
    damaged[i] ^= 0xa5;
    write_bytes(dir.file("damaged.npy"), damaged);
    try {
      io::read_npy(dir.file("damaged.npy"));
    } catch (const std::runtime_error&) {
    }
  }
}

TEST(Npy, WritesAtomically) {
  TempDir dir;
  const std::string path = dir.file("t.npy");
  io::write_npy(path, Tensor({2}, 1.0f));
  io::write_npy(path, Tensor({3}, 2.0f));  // replaces
  EXPECT_EQ(io::read_npy(path).shape(), Shape({3}));
  size_t files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    files += e.is_regular_file();
  EXPECT_EQ(files, 1u) << "no temporary file is left behind";
  EXPECT_THROW(io::write_npy(dir.file("t.npy") + "/inside-a-file.npy", Tensor({1})),
               std::runtime_error);
  EXPECT_THROW(io::write_npy_labels((dir.path() / "no/such/dir/l.npy").string(), {1}),
               std::runtime_error);
}

TEST(Npy, LoadsImageDatasets) {
  TempDir dir;
  const std::string script = R"(
import numpy as np
x = (np.arange(2 * 6 * 5 * 3) % 256).astype(np.uint8).reshape(2, 6, 5, 3)
np.save('nhwc.npy', x)
np.save('nchw.npy', np.ascontiguousarray(x.transpose(0, 3, 1, 2)).astype(np.float32) / 255)
np.save('nhw.npy', x[..., 0])
np.save('y.npy', np.array([1, 0], np.int64))
np.save('y3.npy', np.array([1, 0, 2], np.int64))
np.save('yneg.npy', np.array([1, -1], np.int64))
import os
os.makedirs('keras')
np.save('keras/x_train.npy', x[..., 0]); np.save('keras/y_train.npy', np.array([3, 1], np.uint8))
np.save('keras/x_test.npy', x[:1, ..., 0]); np.save('keras/y_test.npy', np.array([2], np.uint8))
)";
  ASSERT_EQ(testing::run_python(dir, script), 0);
  const Dataset nhwc = load_npy_dataset(dir.file("nhwc.npy"), dir.file("y.npy"));
  ASSERT_EQ(nhwc.images.shape(), Shape({2, 3, 6, 5}));
  // Sample 1, channel 2, row 3, column 4 is byte ((1*6 + 3)*5 + 4)*3 + 2.
  EXPECT_EQ(nhwc.images.at(1, 2, 3, 4), float((((1 * 6 + 3) * 5 + 4) * 3 + 2) % 256) / 255.0f);
  const Dataset nchw = load_npy_dataset(dir.file("nchw.npy"), dir.file("y.npy"));
  ASSERT_EQ(nchw.images.shape(), nhwc.images.shape());
  EXPECT_TRUE(std::equal(nchw.images.begin(), nchw.images.end(), nhwc.images.begin()));
  EXPECT_EQ(nchw.labels, std::vector<int32_t>({1, 0}));
  EXPECT_EQ(load_npy_dataset(dir.file("nhw.npy"), dir.file("y.npy")).images.shape(),
            Shape({2, 1, 6, 5}));
  expect_error([&] { load_npy_dataset(dir.file("nhwc.npy"), dir.file("y3.npy")); },
               {"2 images but 3 labels"});
  expect_error([&] { load_npy_dataset(dir.file("nhwc.npy"), dir.file("yneg.npy")); },
               {"label -1 is not a class index"});

  const DataSplits keras = load_dataset((dir.path() / "keras").string());
  EXPECT_EQ(keras.train.images.shape(), Shape({2, 1, 6, 5}));
  EXPECT_EQ(keras.test.labels, std::vector<int32_t>({2}));
  EXPECT_EQ(keras.train.num_classes(), 4);
}

}  // namespace
}  // namespace convnet
