// `convnet summary` on zoo models: the JSON the lecture's figures can be read from, and the
// options that change the model (--input, --classes, --no-top).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace convnet {
namespace {

using nlohmann::json;

struct CliRun {
  int status;
  std::string out;
};

// Runs the CLI with `args`, stdout captured (stderr dropped).
CliRun run_cli(const std::string& args) {
  const std::string cmd = std::string(CONVNET_CLI) + " " + args + " 2>/dev/null";
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), pipe)) out.append(buf.data(), n);
  return {pclose(pipe), out};
}

json summary_json(const std::string& args) {
  const CliRun r = run_cli("summary " + args + " --json");
  EXPECT_EQ(r.status, 0) << "convnet summary " << args;
  return json::parse(r.out);
}

const json& layer(const json& s, const std::string& name) {
  for (const json& l : s.at("layers"))
    if (l.at("name") == name) return l;
  throw std::invalid_argument("no layer " + name);
}

TEST(ZooCli, Vgg16TotalParams) {
  const json s = summary_json("vgg16");
  EXPECT_EQ(s.at("total_params"), 138357544);
  EXPECT_EQ(layer(s, "classifier.6").at("output_shape"), json({1000}));
  // The usual 15.47 G (torchvision's 15.5 GFLOPS), to 1%.
  EXPECT_NEAR(s.at("total_macs").get<double>(), 15.47e9, 0.01 * 15.47e9);
  EXPECT_EQ(layer(s, "features.30").at("receptive_field").at("size"), json({212, 212}));
}

TEST(ZooCli, MobileNetAt120) {
  const json s = summary_json("mobilenet --input 3x120x120");
  EXPECT_EQ(s.at("input_shape"), json({3, 120, 120}));
  EXPECT_EQ(layer(s, "conv_pw_13").at("output_shape"), json({1024, 3, 3}));
  EXPECT_EQ(layer(s, "conv_pw_13").at("params"), 1048576);
  EXPECT_EQ(s.at("name"), "mobilenet_1.00_120");
}

TEST(ZooCli, ResNet50Params) {
  const json s = summary_json("resnet50");
  // torchvision's 25,557,032; BatchNorm's running statistics are the non-trainable rest.
  EXPECT_EQ(s.at("trainable_params"), 25557032);
  EXPECT_EQ(s.at("non_trainable_params"), 53120);
  EXPECT_EQ(layer(s, "layer1.0.add").at("inbound"),
            json({"layer1.0.bn3", "layer1.0.downsample.1"}));
}

TEST(ZooCli, ClassesAndNoTop) {
  const json s = summary_json("resnet18 --input 3x64x64 --classes 10");
  EXPECT_EQ(layer(s, "fc").at("output_shape"), json({10}));
  EXPECT_EQ(layer(s, "fc").at("params"), 512 * 10 + 10);
  const json base = summary_json("mobilenet --no-top --alpha 0.5");
  EXPECT_EQ(base.at("layers").back().at("output_shape"), json({512, 7, 7}));
  const CliRun table = run_cli("summary mnist-cnn");
  EXPECT_EQ(table.status, 0);
  EXPECT_NE(table.out.find("Total params: 34,826"), std::string::npos) << table.out;
}

TEST(ZooCli, BadArgumentsFail) {
  EXPECT_NE(run_cli("summary vgg17").status, 0);
  EXPECT_NE(run_cli("summary mobilenet --input 3x120").status, 0);
  EXPECT_NE(run_cli("summary mobilenet --input 3xAx120").status, 0);
  EXPECT_NE(run_cli("summary resnet18 --classes 0").status, 0);
}

}  // namespace
}  // namespace convnet
