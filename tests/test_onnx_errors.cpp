// What ONNX import refuses, and how: unsupported operators, attribute values and data types are
// named with the node; corrupt, truncated and randomly damaged files give an exception, never a
// crash (the CONVNET_SANITIZE build runs this under AddressSanitizer).
#include <gtest/gtest.h>

#include "convnet/io/onnx.h"
#include "convnet/layers.h"
#include "convnet/random.h"
#include "convnet/sequential.h"
#include "support/onnx_cases.h"

namespace convnet {
namespace {

// The message of what import_onnx_bytes throws, or "" when it succeeds.
std::string import_error(const std::string& bytes) {
  try {
    io::import_onnx_bytes(bytes, "damaged.onnx");
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

std::string small_model_bytes() {
  Sequential m({2, 8, 8}, {.seed = 3});
  m.add(Conv2D({.filters = 4, .kernel = 3, .padding = Padding::same, .activation = Activation::relu}));
  m.add(BatchNorm2D());
  m.add(MaxPool2D());
  m.add(Flatten());
  m.add(Dense({.units = 3, .activation = Activation::softmax}));
  return io::export_onnx_bytes(m, {.opset = 13});
}

// Replaces the one occurrence of `from` by `to` (same length: the protobuf stays well-formed).
std::string replaced(std::string bytes, const std::string& from, const std::string& to) {
  const size_t at = bytes.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  EXPECT_EQ(bytes.find(from, at + 1), std::string::npos) << from;
  return bytes.replace(at, from.size(), to);
}

TEST(OnnxErrors, UnsupportedOperatorNamesNodeAndList) {
  const std::string e = import_error(replaced(small_model_bytes(), "Relu", "Relx"));
  EXPECT_NE(e.find("damaged.onnx"), std::string::npos) << e;
  EXPECT_NE(e.find("node 'conv2d/activation' (Relx)"), std::string::npos) << e;
  EXPECT_NE(e.find("supported operators: "), std::string::npos) << e;
  EXPECT_NE(e.find("BatchNormalization"), std::string::npos) << e;
}

TEST(OnnxErrors, UnsupportedAttributeIsNamed) {
  const std::string e = import_error(replaced(small_model_bytes(), "dilations", "dilatiozs"));
  EXPECT_NE(e.find("node 'conv2d' (Conv): attribute 'dilatiozs' is not supported"),
            std::string::npos) << e;
}

TEST(OnnxErrors, RefusedModelsFromPython) {
  testing::TempDir dir;
  const std::map<std::string, std::string> want{
      {"refused_op", "node 'hm' (Hardmax): operator not supported; supported operators: Add,"},
      {"refused_dtype", "graph input 'input': data type FLOAT16 is not supported"},
      {"refused_attr", "node 'mp' (MaxPool): dilations other than 1 are not supported"}};
  const auto cases = testing::make_onnx_cases(dir, {"refused"});
  ASSERT_EQ(cases.size(), want.size());
  for (const auto& c : cases) {
    try {
      io::import_onnx(c.onnx);
      ADD_FAILURE() << c.name << " was imported";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find(want.at(c.name)), std::string::npos) << e.what();
    }
  }
}

TEST(OnnxErrors, EmptyAndForeignFiles) {
  EXPECT_NE(import_error("").find("empty file"), std::string::npos);
  EXPECT_NE(import_error("\x89PNG\r\n\x1a\n not a model").find("not a valid ONNX model"),
            std::string::npos);
  EXPECT_THROW(io::import_onnx("/nonexistent/model.onnx"), std::runtime_error);
}

TEST(OnnxErrors, TruncatedFilesNeverCrash) {
  const std::string bytes = small_model_bytes();
  ASSERT_EQ(import_error(bytes), "");
  int refused = 0;
  for (size_t n = 0; n < bytes.size(); n += 7) refused += !import_error(bytes.substr(0, n)).empty();
  // Every strict prefix misses the weights or the output: all are refused.
  EXPECT_EQ(refused, int((bytes.size() + 6) / 7));
}

TEST(OnnxErrors, DamagedBytesNeverCrash) {
  const std::string bytes = small_model_bytes();
  Rng rng(11);
  int refused = 0;
  for (int trial = 0; trial < 3000; ++trial) {
    std::string damaged = bytes;
    const int flips = 1 + int(rng.below(4));
    for (int f = 0; f < flips; ++f)
      damaged[size_t(rng.below(uint64_t(damaged.size())))] ^= char(1 + rng.below(255));
    refused += !import_error(damaged).empty();
  }
  // Flips inside the weights' raw data still import; those in the structure must not crash.
  EXPECT_GT(refused, 100);
}

}  // namespace
}  // namespace convnet
