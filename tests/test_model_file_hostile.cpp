// Hostile model files: a saved lenet5 file truncated, bit-flipped, and with every rule of the
// format broken one at a time. Each must load or throw std::runtime_error / std::invalid_argument;
// none may crash, read out of bounds or allocate without bound. Run them under AddressSanitizer:
//   cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCONVNET_SANITIZE=ON
//   make -C build-asan -j2 convnet_tests && (cd build-asan && ctest -R 'Hostile')
#include <gtest/gtest.h>

#include <cstring>
#include <nlohmann/json.hpp>

#include "convnet/io/model_file.h"
#include "convnet/random.h"
#include "convnet/zoo.h"
#include "support/test_files.h"

namespace convnet {
namespace {

using ordered_json = nlohmann::ordered_json;

enum class Outcome { loaded, rejected };

class ModelFileHostile : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = zoo::lenet5({.seed = 11});
    io::save_model(*model_, dir_.file("good.safetensors"));
    bytes_ = testing::read_bytes(dir_.file("good.safetensors"));
    std::memcpy(&header_bytes_, bytes_.data(), 8);
    header_ = bytes_.substr(8, header_bytes_);
    data_ = bytes_.substr(8 + header_bytes_);
  }

  // Loads `bytes` as a model file. Exceptions other than the two allowed fail the test.
  Outcome load(const std::string& bytes, std::string* error = nullptr) {
    const std::string path = dir_.file("hostile.safetensors");
    testing::write_bytes(path, bytes);
    try {
      io::load_model(path);
      return Outcome::loaded;
    } catch (const std::runtime_error& e) {
      if (error) *error = e.what();
      EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
    } catch (const std::invalid_argument& e) {
      if (error) *error = e.what();
    }
    return Outcome::rejected;
  }

  // Must be rejected, with `why` in the message.
  void expect_rejected(const std::string& bytes, const std::string& why, const std::string& what) {
    std::string error;
    EXPECT_EQ(load(bytes, &error), Outcome::rejected) << what;
    EXPECT_NE(error.find(why), std::string::npos) << what << ": error '" << error << "'";
  }

  static std::string file_of(const std::string& header, const std::string& data) {
    const uint64_t n = header.size();
    return std::string(reinterpret_cast<const char*>(&n), 8) + header + data;
  }
  std::string with_header(const ordered_json& header) const {
    return file_of(header.dump(), data_);
  }
  ordered_json header_json() const { return ordered_json::parse(header_); }
  std::string with_length(uint64_t n) const {
    std::string b = bytes_;
    std::memcpy(b.data(), &n, 8);
    return b;
  }

  testing::TempDir dir_;
  std::unique_ptr<Sequential> model_;
  std::string bytes_, header_, data_;
  uint64_t header_bytes_ = 0;
};

TEST_F(ModelFileHostile, Truncations) {
  ASSERT_EQ(load(bytes_), Outcome::loaded);
  const uint64_t n = header_bytes_, size = bytes_.size();
  std::vector<uint64_t> lengths;
  for (uint64_t i = 0; i <= 16; ++i) lengths.push_back(i);
  for (uint64_t k = 0; k < 16; ++k) lengths.push_back(8 + n * k / 16);
  for (uint64_t k = 0; k < 24; ++k) lengths.push_back(8 + n + (size - 8 - n) * k / 24);
  for (uint64_t d : {1, 3, 4, 5}) lengths.push_back(size - d);
  lengths.push_back(8 + n - 1);
  for (uint64_t len : lengths) EXPECT_EQ(load(bytes_.substr(0, len)), Outcome::rejected) << len;
}

TEST_F(ModelFileHostile, HeaderByteFlipsLoadOrFailCleanly) {
  Rng rng(1);
  int loaded = 0, rejected = 0;
  for (uint64_t pos = 8; pos < 8 + header_bytes_; pos += 3) {
    std::string b = bytes_;
    b[pos] = char(uint8_t(b[pos]) ^ uint8_t(1u << rng.below(8)));
    (load(b) == Outcome::loaded ? loaded : rejected)++;
  }
  EXPECT_GT(rejected, 0);
  std::cout << "header flips: " << loaded << " loaded, " << rejected << " rejected\n";
}

// Any data byte is legal data: the file loads and exactly one parameter value changes.
TEST_F(ModelFileHostile, DataByteFlipsChangeOneValue) {
  Rng rng(2);
  const uint64_t start = 8 + header_bytes_;
  for (int i = 0; i < 48; ++i) {
    const uint64_t pos = start + rng.below(bytes_.size() - start);
    std::string b = bytes_;
    b[pos] = char(uint8_t(b[pos]) ^ uint8_t(1u << rng.below(8)));
    testing::write_bytes(dir_.file("flip.safetensors"), b);
    const io::LoadedModel m = io::load_model(dir_.file("flip.safetensors"));
    int changed = 0;
    const auto want = model_->params(), got = m.model->params();
    for (size_t p = 0; p < want.size(); ++p)
      for (int64_t e = 0; e < want[p].param.value->numel(); ++e)
        changed +=
            std::memcmp(want[p].param.value->data() + e, got[p].param.value->data() + e, 4) != 0;
    EXPECT_EQ(changed, 1) << "flip at byte " << pos;
  }
}

TEST_F(ModelFileHostile, HeaderLengths) {
  const uint64_t n = header_bytes_, size = bytes_.size();
  for (uint64_t len : {n - 1, n + 1, n + 3, n + 8, size - 8})
    expect_rejected(with_length(len), "", std::to_string(len));
  expect_rejected(with_length(0), "not valid JSON", "zero");
  expect_rejected(with_length(size - 7), "runs past the end", "size - 7");
  expect_rejected(with_length(100'000'001), "exceeds the limit", "100 MB + 1");
  for (uint64_t huge : {uint64_t(1) << 40, uint64_t(1) << 63, ~uint64_t(0)})
    expect_rejected(with_length(huge), "exceeds the limit", std::to_string(huge));
}

TEST_F(ModelFileHostile, HeaderNotAJsonObject) {
  const std::vector<std::pair<std::string, std::string>> headers{
      {"", "not valid JSON"},
      {"        ", "not valid JSON"},
      {"[1, 2, 3]", "not a JSON object"},
      {"\"text\"", "not a JSON object"},
      {"null", "not a JSON object"},
      {"123", "not a JSON object"},
      {"{", "not valid JSON"},
      {"{\"a\": ", "not valid JSON"},
      {"{} {}", "not valid JSON"},
      {std::string("{}\0", 3), "NUL byte"},
      {"{\"\xff\": 1}", "not valid JSON"},
      {std::string(100000, '[') + std::string(100000, ']'), "not a JSON object"},
      {"{\"t\": " + std::string(100000, '[') + std::string(100000, ']') + "}", "not an object"},
      {"{\"t\": {\"shape\": [[[[[1]]]]]}}", "shape holds a list"},
  };
  for (const auto& [header, why] : headers)
    expect_rejected(file_of(header, data_), why, header.substr(0, 40));
}

TEST_F(ModelFileHostile, OffsetsOutOfRangeOverlappingOrWithGaps) {
  const std::string name = "dense_1.bias";  // [84]: 336 bytes
  const uint64_t data = data_.size();
  auto offsets = [&](const ordered_json& value, const std::string& why) {
    ordered_json h = header_json();
    h[name]["data_offsets"] = value;
    expect_rejected(with_header(h), why, value.dump());
  };
  const ordered_json original = header_json()[name]["data_offsets"];
  const uint64_t b = original[0], e = original[1];
  offsets({data, data + 336}, "of a data section");
  offsets({b - 4, e - 4}, "overlap");
  offsets({b + 4, e + 4}, "");
  offsets({e, b}, "end before they begin");
  offsets({b, e + 4}, "needs 336 bytes");
  offsets({~uint64_t(0) - 335, ~uint64_t(0) + 1.0}, "data_offsets holds a fraction");
  offsets({-4, 332}, "negative");
  offsets({0.5, 336.5}, "fraction");
  offsets({"0", "336"}, "a string");
  offsets({b, e, e}, "more than 2");
  offsets(ordered_json::array({b}), "needs [begin, end]");
  offsets(ordered_json::object(), "data_offsets is an object");

  // A gap before the last tensor, the data section grown to keep the offsets in range.
  ordered_json h = header_json();
  h["dense_2.bias"]["data_offsets"] = {data + 4, data + 44};
  expect_rejected(file_of(h.dump(), data_ + std::string(44, '\0')), "belong to no tensor", "gap");
  // Trailing bytes after the last tensor.
  expect_rejected(file_of(header_, data_ + "abcd"), "belong to no tensor", "trailing bytes");
}

TEST_F(ModelFileHostile, ShapesAndDtypes) {
  auto entry = [&](const std::string& key, const ordered_json& value, const std::string& why) {
    ordered_json h = header_json();
    h["conv2d.bias"][key] = value;
    expect_rejected(with_header(h), why, key + " = " + value.dump());
  };
  const uint64_t big = uint64_t(1) << 40;
  entry("shape", {big, big}, "too many elements");
  entry("shape", {uint64_t(1) << 62, 4}, "too many elements");
  entry("shape", {uint64_t(1) << 31, uint64_t(1) << 31}, "too many elements");
  entry("shape", {~uint64_t(0), 0}, "too large");
  entry("shape", {-1, -6}, "negative");
  entry("shape", ordered_json::array({1.5}), "fraction");
  entry("shape", ordered_json::array({"6"}), "shape holds a string");
  entry("shape", {2, 3}, "has shape [2, 3], the architecture needs [6]");
  entry("shape", "six", "shape is a string");
  for (const char* dtype : {"F16", "BF16", "F64", "I64", "U8"})
    entry("dtype", dtype, std::string("dtype ") + dtype);
  entry("dtype", 5, "dtype is a number");
  entry("extra_field", 1, "unknown field 'extra_field'");
  ordered_json h = header_json();
  h["conv2d.bias"].erase("dtype");
  expect_rejected(with_header(h), "has no dtype", "no dtype");
}

TEST_F(ModelFileHostile, DuplicateKeysAndBadMetadata) {
  auto spliced = [&](const std::string& after, const std::string& insert) {
    std::string h = header_;
    const size_t at = h.find(after);
    EXPECT_NE(at, std::string::npos) << after;
    return file_of(h.insert(at + after.size(), insert), data_);
  };
  const ordered_json bias = header_json()["conv2d.bias"];
  expect_rejected(spliced("{", "\"conv2d.bias\":" + bias.dump() + ","), "names 'conv2d.bias' twice",
                  "tensor");
  expect_rejected(spliced("{\"__metadata__\":{", "\"format\":\"pt\","),
                  "has the key 'format' twice", "metadata");
  expect_rejected(spliced("\"conv2d.bias\":{", "\"dtype\":\"F32\","), "has the key 'dtype' twice",
                  "dtype");

  ordered_json h = header_json();
  h["__metadata__"]["epoch"] = 3;
  expect_rejected(with_header(h), "is a number, not a string", "metadata number");
  h["__metadata__"] = ordered_json::array();
  expect_rejected(with_header(h), "__metadata__ is a list", "metadata list");
  h["__metadata__"] = nullptr;
  expect_rejected(with_header(h), "__metadata__ is null", "metadata null");
}

// Architectures that would make a naive loader allocate terabytes or overflow shape arithmetic.
TEST_F(ModelFileHostile, ArchitecturesBeyondTheFilesMeans) {
  auto with_layers = [&](const std::string& input_shape, const std::string& layers) {
    ordered_json h = header_json();
    h["__metadata__"]["convnet_architecture"] =
        R"({"format": "convnet", "version": 1, "class": "Sequential", "name": "x", "input_shape": )" +
        input_shape + R"(, "layers": [)" + layers + "]}";
    return with_header(h);
  };
  auto dense = [](int64_t units) {
    return R"({"type": "Dense", "name": "d", "trainable": true, "config": {"units": )" +
           std::to_string(units) + "}}";
  };
  const std::string flatten =
      R"({"type": "Flatten", "name": "f", "trainable": true, "config": {}})";
  expect_rejected(with_layers("[4096]", dense(2147483647)), "allocation budget", "huge Dense");
  expect_rejected(with_layers("[2147483647, 2147483647, 2147483647]", flatten), "too large a",
                  "huge input");
  expect_rejected(with_layers("[1, 28, 28]",
                              R"({"type": "Conv2D", "name": "c", "trainable": true, "config":
                                 {"filters": 2147483647, "kernel": [65536, 65536], "padding": "explicit",
                                  "pads": [32768, 32768, 32768, 32768], "stride": [65536, 65536]}})"),
                  "too many elements", "huge Conv2D");
  expect_rejected(with_layers("[1, 28, 28]", std::string(5000, '[') + std::string(5000, ']')),
                  "nests deeper", "deep nesting");
  expect_rejected(with_layers("[1, 28, 28]", "{\"type\": \"Dense\"}"), "has no \"name\"",
                  "no name");
}

}  // namespace
}  // namespace convnet
