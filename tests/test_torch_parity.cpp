// Every op of the registry against PyTorch: forward y, dx and every parameter gradient, with torch
// in float64 as the reference. The cases go to tests/golden/torch_reference.py as one JSON file and
// the script runs once for all of them (importing torch takes seconds). Fails, never skips, when
// /usr/bin/python3 or torch is missing.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "support/compare.h"
#include "support/op_registry.h"

namespace convnet::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kCasesPerOp = 50;
// float32 against float64 over sums of at most a few hundred terms: ~1e-6 of the largest value;
// an off-by-one index or a wrong padding moves elements by O(1) of it.
constexpr double kRtol = 1e-5;
const fs::path kPython = "/usr/bin/python3";
const fs::path kScript = fs::path(CONVNET_SOURCE_DIR) / "tests/golden/torch_reference.py";

json to_json(const Tensor& t) {
  return {{"shape", t.shape().dims()}, {"data", std::vector<float>(t.begin(), t.end())}};
}

json to_json(const Config& c) {
  json j = json::object();
  for (const auto& [key, value] : c.items()) std::visit([&](const auto& v) { j[key] = v; }, value);
  return j;
}

Tensor tensor_from(const json& j) {
  const auto data = j.at("data").get<std::vector<float>>();
  Shape shape(j.at("shape").get<std::vector<int64_t>>());
  if (shape.numel() != int64_t(data.size())) throw std::runtime_error("malformed tensor in results");
  return Tensor::from(std::move(shape), data.data());
}

// What convnet computed for one case.
struct Ours {
  OpCase c;
  Tensor y, dx;
  std::vector<std::pair<std::string, Tensor>> grads;
};

// Runs the case on our side and appends its description to `cases`.
Ours run_ours(const OpCase& c, Rng& rng, json& cases) {
  OpInstance inst = instantiate(c, rng);
  Layer& layer = *inst.layer;
  Ours o{c, layer.forward(inst.x, Mode::train), {}, {}};
  const Tensor dy = random_normal(o.y.shape(), rng);
  layer.zero_grad();
  o.dx = layer.backward(dy).clone();
  json params = json::object();
  for (const Param& p : layer.params()) {
    if (!p.grad) continue;
    params[p.name] = to_json(*p.value);
    o.grads.emplace_back(p.name, p.grad->clone());
  }
  cases.push_back({{"op", c.op}, {"label", c.label}, {"attrs", to_json(c.attrs)},
                   {"x", to_json(inst.x)}, {"params", params}, {"dy", to_json(dy)}});
  return o;
}

::testing::AssertionResult matches(const std::string& what, const Tensor& ours, const json& theirs) {
  const Tensor t = tensor_from(theirs);
  if (t.shape() != ours.shape())
    return ::testing::AssertionFailure()
           << what << ": shape " << ours.shape() << ", torch's " << t.shape();
  return all_close(what, ours.shape(), ours.data(), t.data(), kRtol);
}

// What differs between our results and torch's for one case (nothing when they agree).
std::vector<std::string> compare(const Ours& o, const json& r) {
  if (r.contains("error")) return {"torch_reference.py: " + r["error"].get<std::string>()};
  std::vector<std::string> problems;
  auto check = [&](const std::string& what, const Tensor& ours, const json& theirs) {
    if (const auto m = matches(o.c.op + " " + what, ours, theirs); !m) problems.push_back(m.message());
  };
  check("y", o.y, r.at("y"));
  check("dx", o.dx, r.at("dx"));
  if (r.at("grads").size() != o.grads.size())
    problems.push_back("torch returned " + std::to_string(r.at("grads").size()) +
                       " parameter gradients, convnet " + std::to_string(o.grads.size()));
  for (const auto& [name, grad] : o.grads) {
    if (r.at("grads").contains(name))
      check("d" + name, grad, r.at("grads").at(name));
    else
      problems.push_back("torch returned no gradient for " + name);
  }
  return problems;
}

std::string read_file(const fs::path& p) {
  std::ifstream f(p);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

TEST(TorchParity, EveryOpForwardAndBackward) {
  ASSERT_TRUE(fs::exists(kPython)) << kPython << " is missing: the PyTorch reference needs it";
  ASSERT_TRUE(fs::exists(kScript)) << kScript << " is missing";
  const fs::path dir = fs::temp_directory_path() / ("convnet_torch_parity_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path in = dir / "cases.json", out = dir / "results.json", err = dir / "stderr.txt";

  std::vector<Ours> ours;
  json cases = json::array();
  Rng rng(2024);
  uint64_t seed = 500;
  for (const std::string& op : op_names())
    for (const OpCase& c : op_cases(op, kCasesPerOp, seed++)) ours.push_back(run_ours(c, rng, cases));
  std::ofstream(in) << json{{"cases", cases}};

  const std::string command = kPython.string() + " '" + kScript.string() + "' '" + in.string() +
                              "' '" + out.string() + "' 2> '" + err.string() + "'";
  const int status = std::system(command.c_str());
  ASSERT_EQ(status, 0) << command << " failed:\n" << read_file(err);
  const json results = json::parse(read_file(out)).at("results");
  ASSERT_EQ(results.size(), ours.size());

  // Every case is compared; the first few failing ones are reported in full.
  constexpr int kReported = 12;
  int failing = 0;
  for (size_t i = 0; i < ours.size(); ++i) {
    const std::vector<std::string> problems = compare(ours[i], results[i]);
    if (problems.empty()) continue;
    if (++failing > kReported) continue;
    std::string message = ours[i].c.label;
    for (const std::string& p : problems) message += "\n" + p;
    ADD_FAILURE() << message;
  }
  EXPECT_EQ(failing, 0) << "of " << ours.size() << " cases (" << kReported << " reported above)";
  if (!HasFailure())
    fs::remove_all(dir);
  else
    ADD_FAILURE() << "cases and torch's results kept in " << dir;
}

}  // namespace
}  // namespace convnet::test
