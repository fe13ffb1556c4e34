#include "support/onnx_cases.h"

#include <cmath>

#include "convnet/io/npy.h"
#include "convnet/io/onnx.h"
#include "support/python_golden.h"

namespace convnet::testing {

std::vector<OnnxCase> make_onnx_cases(const TempDir& dir, const std::vector<std::string>& cases,
                                      int seed) {
  const nlohmann::json response = golden::run_script(
      "onnx_models.py",
      {{"mode", "make"}, {"dir", dir.path().string()}, {"cases", cases}, {"seed", seed}});
  std::vector<OnnxCase> out;
  for (const auto& c : response.at("cases"))
    out.push_back({c.at("name"), c.at("onnx"), c.at("input"), c.at("output"), c.at("opset")});
  return out;
}

::testing::AssertionResult close_relative(const Tensor& got, const Tensor& want, double rel) {
  if (got.shape() != want.shape())
    return ::testing::AssertionFailure() << "shape " << got.shape() << ", expected " << want.shape();
  double diff = 0, scale = 0;
  for (int64_t k = 0; k < got.numel(); ++k) {
    const double d = std::abs(double(got[k]) - double(want[k]));
    diff = std::isnan(d) ? INFINITY : std::max(diff, d);
    scale = std::max(scale, std::abs(double(want[k])));
  }
  if (diff <= rel * scale)
    return ::testing::AssertionSuccess() << "max |diff| " << diff << " (scale " << scale << ")";
  return ::testing::AssertionFailure() << "max |diff| " << diff << " > " << rel << " * max |want| "
                                       << scale;
}

OnnxCase export_and_reimport(Model& model, const OnnxCase& c, const Tensor& expected, int opset,
                             const TempDir& dir) {
  OnnxCase out = c;
  out.onnx = dir.file(c.name + ".export.onnx");
  out.output = dir.file(c.name + ".convnet.npy");
  out.opset = opset;
  io::export_onnx(model, out.onnx, {.opset = opset});
  io::write_npy(out.output, expected);
  auto again = io::import_onnx(out.onnx);
  const Tensor y = again->predict(io::read_npy(c.input));
  EXPECT_EQ(y.shape(), expected.shape()) << c.name;
  for (int64_t k = 0; k < y.numel() && y.shape() == expected.shape(); ++k)
    if (y[k] != expected[k]) {
      ADD_FAILURE() << c.name << ": re-imported output differs at " << k << ": " << y[k]
                    << " != " << expected[k];
      break;
    }
  return out;
}

void verify_exports(const std::vector<OnnxCase>& exported, double rel) {
  nlohmann::json items = nlohmann::json::array();
  for (const OnnxCase& c : exported)
    items.push_back({{"onnx", c.onnx}, {"input", c.input}, {"output", c.output}});
  const nlohmann::json r = golden::run_script("onnx_models.py", {{"mode", "verify"}, {"items", items}});
  for (size_t k = 0; k < exported.size(); ++k) {
    const auto& item = r.at("items").at(k);
    const std::string name = exported[k].name + " (opset " + std::to_string(exported[k].opset) + ")";
    EXPECT_EQ(item.at("checker"), "ok") << name;
    if (item.contains("opencv_error")) {
      ADD_FAILURE() << name << ": OpenCV failed: " << item.at("opencv_error");
      continue;
    }
    const double diff = item.at("opencv_max_abs"), scale = item.at("output_max_abs");
    EXPECT_LE(diff, rel * scale) << name << ": OpenCV's output differs from convnet's";
  }
}

}  // namespace convnet::testing
