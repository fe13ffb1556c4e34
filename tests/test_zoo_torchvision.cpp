// The zoo's torchvision models against torchvision itself: the same parameter names (state_dict
// keys), shapes and trainable counts. Fails when /usr/bin/python3 is missing; skips, saying so,
// when only torchvision is (Debian's python3-torchvision, scripts/install-deps.sh --test).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "convnet/zoo.h"

namespace convnet {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kPython = "/usr/bin/python3";
const fs::path kScript = fs::path(CONVNET_SOURCE_DIR) / "tests/golden/torchvision_models.py";

// Names and shapes of our parameters and state buffers, as torchvision lists them.
std::map<std::string, std::vector<int64_t>> state_of(Model& m) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const NamedParam& p : m.params()) out[p.name] = p.param.value->shape().dims();
  return out;
}

int64_t trainable_of(Model& m) {
  int64_t n = 0;
  for (const NamedParam& p : m.params())
    if (p.trainable()) n += p.param.value->numel();
  return n;
}

TEST(ZooTorchvision, NamesShapesAndCounts) {
  ASSERT_TRUE(fs::exists(kPython)) << kPython << " is missing: the torchvision check needs it";
  const fs::path out =
      fs::temp_directory_path() / ("convnet_torchvision_" + std::to_string(getpid()) + ".json");
  const std::string cmd = kPython.string() + " " + kScript.string() + " " + out.string();
  const int status = std::system(cmd.c_str());
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3)
    GTEST_SKIP() << "torchvision is not installed (apt install python3-torchvision): skipped";
  ASSERT_EQ(status, 0) << cmd;
  json theirs;
  std::ifstream(out) >> theirs;
  fs::remove(out);

  const std::vector<std::pair<std::string, std::function<std::unique_ptr<Model>()>>> ours{
      {"alexnet",
       [] { return zoo::make_model("alexnet", {.classifier_activation = Activation::linear}); }},
      {"resnet18", [] { return zoo::make_model("resnet18"); }},
      {"resnet50", [] { return zoo::make_model("resnet50"); }},
      {"vgg11", [] { return zoo::make_model("vgg11", {.include_top = false}); }},
      {"vgg16", [] { return zoo::make_model("vgg16", {.include_top = false}); }},
  };
  for (const auto& [name, build] : ours) {
    auto m = build();  // one at a time: AlexNet alone is 244 MB
    const auto want =
        theirs.at(name).at("state").get<std::map<std::string, std::vector<int64_t>>>();
    const auto got = state_of(*m);
    for (const auto& [key, shape] : want) {
      auto it = got.find(key);
      if (it == got.end())
        ADD_FAILURE() << name << ": no parameter " << key;
      else
        EXPECT_EQ(it->second, shape) << name << ": " << key;
    }
    for (const auto& [key, shape] : got)
      EXPECT_TRUE(want.count(key)) << name << ": " << key << " is not in torchvision's state_dict";
    EXPECT_EQ(trainable_of(*m), theirs.at(name).at("trainable").get<int64_t>()) << name;
  }
}

}  // namespace
}  // namespace convnet
