// safetensors files: round trips, exchange with an independent reader and writer in Python
// (tests/python/safetensors_interop.py, written from the format's specification), atomic writes.
#include "convnet/io/safetensors.h"

#include <gtest/gtest.h>
#include <sys/resource.h>

#include <csignal>
#include <cstring>
#include <nlohmann/json.hpp>

#include "convnet/io/model_file.h"
#include "convnet/random.h"
#include "convnet/zoo.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using io::read_safetensors;
using io::write_safetensors;
using testing::TempDir;

const std::string kPython = "/usr/bin/python3";
const std::string kInterop =
    std::string(CONVNET_SOURCE_DIR) + "/tests/python/safetensors_interop.py";

Tensor random_tensor(Shape shape, uint64_t seed) {
  Rng rng(seed);
  Tensor t(std::move(shape));
  for (float& v : t) v = rng.normal();
  return t;
}

bool same_bits(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() &&
         std::memcmp(a.data(), b.data(), size_t(a.numel()) * sizeof(float)) == 0;
}

// Tensors chosen to catch byte-order, offset and rank mistakes: a scalar, an empty tensor, values
// that print badly (0.1, -0, a subnormal, the largest float).
struct Sample {
  Tensor matrix = random_tensor({3, 5}, 1), scalar = Tensor::from({}, {0.1f});
  Tensor empty = Tensor({0, 3}), cube = random_tensor({2, 3, 4}, 2);
  Tensor odd = Tensor::from({4}, {-0.0f, 1e-40f, 3.4028235e38f, -7.5f});
  std::vector<std::pair<std::string, const Tensor*>> list() const {
    return {{"matrix", &matrix},
            {"scalar", &scalar},
            {"empty", &empty},
            {"cube", &cube},
            {"layer.odd", &odd}};
  }
  std::map<std::string, std::string> metadata() const {
    return {{"format", "pt"}, {"note", "{\"json\": [1, 2]} \xc3\xbc"}};
  }
};

std::string python(const std::string& args) {
  EXPECT_TRUE(std::filesystem::exists(kPython)) << kPython << " is needed for the interop tests";
  int status = 0;
  const std::string out = testing::run_command(kPython + " " + kInterop + " " + args, status);
  EXPECT_EQ(status, 0) << "python " << args << " failed";
  return out;
}

TEST(Safetensors, RoundTripKeepsOrderShapesBitsAndMetadata) {
  TempDir dir;
  const Sample s;
  const std::string path = dir.file("t.safetensors");
  write_safetensors(path, s.list(), s.metadata());

  const io::SafeTensors back = read_safetensors(path);
  ASSERT_EQ(back.tensors.size(), s.list().size());
  for (size_t i = 0; i < back.tensors.size(); ++i) {
    EXPECT_EQ(back.tensors[i].first, s.list()[i].first);
    EXPECT_TRUE(same_bits(back.tensors[i].second, *s.list()[i].second)) << back.tensors[i].first;
  }
  EXPECT_EQ(back.metadata, s.metadata());
  ASSERT_NE(back.find("cube"), nullptr);
  EXPECT_TRUE(same_bits(*back.find("cube"), s.cube));
  EXPECT_EQ(back.find("nope"), nullptr);

  // The layout: an 8-aligned header, then exactly the tensors' bytes.
  const std::string bytes = testing::read_bytes(path);
  uint64_t header = 0;
  std::memcpy(&header, bytes.data(), 8);
  EXPECT_EQ(header % 8, 0u);
  EXPECT_EQ(bytes[8], '{');
  EXPECT_EQ(bytes.size(), 8 + header + (15 + 1 + 0 + 24 + 4) * 4);
}

TEST(Safetensors, EmptyFileHoldsNoTensors) {
  TempDir dir;
  write_safetensors(dir.file("e.safetensors"), {}, {});
  const io::SafeTensors back = read_safetensors(dir.file("e.safetensors"));
  EXPECT_TRUE(back.tensors.empty());
  EXPECT_TRUE(back.metadata.empty());
}

TEST(Safetensors, PythonReadsOurFile) {
  TempDir dir;
  const Sample s;
  write_safetensors(dir.file("ours.safetensors"), s.list(), s.metadata());
  const auto seen = nlohmann::json::parse(python("read " + dir.file("ours.safetensors")));

  using StringMap = std::map<std::string, std::string>;
  EXPECT_EQ(seen["metadata"].get<StringMap>(), s.metadata());
  ASSERT_EQ(seen["tensors"].size(), s.list().size());
  for (const auto& [name, tensor] : s.list()) {
    const auto& t = seen["tensors"][name];
    EXPECT_EQ(t["shape"].get<std::vector<int64_t>>(), tensor->shape().dims()) << name;
    const auto values = t["values"].get<std::vector<double>>();
    ASSERT_EQ(int64_t(values.size()), tensor->numel()) << name;
    for (size_t i = 0; i < values.size(); ++i) {
      const float v = float(values[i]);  // python printed the float32 widened to double, exactly
      EXPECT_EQ(std::memcmp(&v, tensor->data() + i, 4), 0) << name << "[" << i << "]";
    }
  }
}

TEST(Safetensors, WeReadPythonsFile) {
  TempDir dir;
  python("write " + dir.file("py.safetensors"));
  const io::SafeTensors f = read_safetensors(dir.file("py.safetensors"));

  EXPECT_EQ(f.metadata.at("note"), "written by python \xc3\xbc");
  std::vector<std::string> order;
  for (const auto& [name, t] : f.tensors) order.push_back(name);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "scalar", "empty", "b"}));  // data order
  EXPECT_TRUE(same_bits(*f.find("a"), Tensor::from({2, 3}, {-1, -0.5f, 0, 0.5f, 1, 1.5f})));
  EXPECT_TRUE(same_bits(*f.find("scalar"), Tensor::from({}, {3.25f})));
  EXPECT_EQ(f.find("empty")->shape(), Shape({0, 4}));
  Tensor b({2, 2, 2});
  for (int i = 0; i < 8; ++i) b[i] = 1.0f / float(i + 1);
  EXPECT_TRUE(same_bits(*f.find("b"), b));
}

// A model file rewritten by the Python writer (other tensor order, other header) still loads.
TEST(Safetensors, ModelRewrittenByPythonLoads) {
  TempDir dir;
  auto model = zoo::lenet5({.seed = 3});
  io::save_model(*model, dir.file("ours.safetensors"));
  python("rewrite " + dir.file("ours.safetensors") + " " + dir.file("py.safetensors"));
  ASSERT_NE(testing::read_bytes(dir.file("py.safetensors")),
            testing::read_bytes(dir.file("ours.safetensors")));

  const io::LoadedModel back = io::load_model(dir.file("py.safetensors"));
  const Tensor x = random_tensor({2, 1, 28, 28}, 9);
  EXPECT_TRUE(same_bits(back.model->forward(x), model->forward(x)));
}

// ---- Atomic writes ----------------------------------------------------------------------------

TEST(SafetensorsAtomicWrite, MissingDirectoryFailsAndLeavesNothing) {
  TempDir dir;
  const Sample s;
  const std::string path = (dir.path() / "no/such/dir/t.safetensors").string();
  try {
    write_safetensors(path, s.list());
    FAIL() << "wrote into a missing directory";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("No such file or directory"), std::string::npos)
        << e.what();
  }
  EXPECT_TRUE(dir.entries().empty());
}

TEST(SafetensorsAtomicWrite, InvalidInputKeepsTheOldFile) {
  TempDir dir;
  const Sample s;
  const std::string path = dir.file("t.safetensors");
  write_safetensors(path, s.list(), s.metadata());
  const std::string before = testing::read_bytes(path);

  const std::vector<std::vector<std::pair<std::string, const Tensor*>>> bad{
      {{"a", &s.matrix}, {"a", &s.cube}},  // duplicate name
      {{"a", &s.matrix}, {"b", nullptr}},  // null tensor
      {{"", &s.matrix}},                   // empty name
      {{"__metadata__", &s.matrix}},       // reserved name
      {{"\xff\xfe", &s.matrix}},           // not UTF-8
  };
  for (const auto& tensors : bad)
    EXPECT_THROW(write_safetensors(path, tensors), std::invalid_argument);
  EXPECT_THROW(write_safetensors(path, s.list(), {{"k", "\xc3"}}), std::invalid_argument);
  EXPECT_EQ(testing::read_bytes(path), before);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"t.safetensors"});
}

// A real I/O failure half-way: the file size limit (RLIMIT_FSIZE) makes write() fail with EFBIG.
TEST(SafetensorsAtomicWrite, FailedWriteKeepsTheOldFile) {
  TempDir dir;
  const std::string path = dir.file("t.safetensors");
  const Tensor small = random_tensor({4}, 1), big = random_tensor({64, 1024}, 2);
  write_safetensors(path, {{"small", &small}});
  const std::string before = testing::read_bytes(path);

  rlimit old{};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old), 0);
  rlimit limited = old;
  limited.rlim_cur = 64 * 1024;
  auto* old_handler = std::signal(SIGXFSZ, SIG_IGN);
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limited), 0);
  std::string error;
  try {
    write_safetensors(path, {{"big", &big}});
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  ::setrlimit(RLIMIT_FSIZE, &old);
  std::signal(SIGXFSZ, old_handler);

  EXPECT_NE(error.find("cannot write"), std::string::npos) << "error: '" << error << "'";
  EXPECT_EQ(testing::read_bytes(path), before);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"t.safetensors"});
}

TEST(SafetensorsAtomicWrite, FailedRenameRemovesTheTemporaryFile) {
  TempDir dir;
  std::filesystem::create_directory(dir.file("taken"));
  const Sample s;
  EXPECT_THROW(write_safetensors(dir.file("taken"), s.list()), std::runtime_error);
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"taken"});
}

TEST(SafetensorsAtomicWrite, OverwriteReplacesTheFile) {
  TempDir dir;
  const Sample s;
  const std::string path = dir.file("t.safetensors");
  write_safetensors(path, s.list());
  write_safetensors(path, {{"only", &s.cube}}, {{"v", "2"}});
  const io::SafeTensors back = read_safetensors(path);
  ASSERT_EQ(back.tensors.size(), 1u);
  EXPECT_TRUE(same_bits(back.tensors[0].second, s.cube));
  EXPECT_EQ(back.metadata.at("v"), "2");
  EXPECT_EQ(dir.entries(), std::vector<std::string>{"t.safetensors"});
}

}  // namespace
}  // namespace convnet
