// ONNX import against PyTorch: torchvision models and one model per operator (at two opsets each,
// attributes drawn at random), exported by torch.onnx.export; convnet's outputs must match
// PyTorch's to 1e-4 of their largest magnitude. Then each imported model goes back out through
// export_onnx: onnx.checker, OpenCV's dnn and convnet itself must agree with it.
#include <gtest/gtest.h>

#include "convnet/io/npy.h"
#include "convnet/io/onnx.h"
#include "support/onnx_cases.h"

namespace convnet {
namespace {

using testing::OnnxCase;

// OpenCV 4.6 (Debian 12) reads Clip only in its opset-6 form, with attributes: models with ReLU6
// go to it at opset 10. The rest at their opset, but at least 11 (bilinear Resize).
int export_opset(const OnnxCase& c) {
  if (c.name.starts_with("relu6") || c.name.starts_with("mobilenet")) return 10;
  return std::max(c.opset, 11);
}

void import_and_compare(const std::vector<OnnxCase>& cases, const testing::TempDir& dir) {
  ASSERT_FALSE(cases.empty());
  std::vector<OnnxCase> exported;
  for (const OnnxCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::unique_ptr<Model> model;
    try {
      model = io::import_onnx(c.onnx);
    } catch (const std::exception& e) {
      ADD_FAILURE() << c.name << ": " << e.what();
      continue;
    }
    const Tensor y = model->predict(io::read_npy(c.input));
    EXPECT_TRUE(testing::close_relative(y, io::read_npy(c.output), 1e-4)) << c.name;
    if (!model->layers().empty())  // an Identity-only model has nothing to export
      exported.push_back(testing::export_and_reimport(*model, c, y, export_opset(c), dir));
  }
  testing::verify_exports(exported);
}

TEST(OnnxImport, EveryOperatorMatchesPyTorch) {
  testing::TempDir dir;
  const auto cases = testing::make_onnx_cases(dir, {"ops"}, 7);
  EXPECT_GE(cases.size(), 50u);
  import_and_compare(cases, dir);
}

TEST(OnnxImport, TorchvisionModelsMatchPyTorch) {
  testing::TempDir dir;
  import_and_compare(testing::make_onnx_cases(dir, {"lenet", "mobilenet_v2", "resnet18"}), dir);
}

// AlexNet and VGG-11 at 224x224 (torch exports their adaptive pooling only there): 230-530 MB each.
TEST(SlowOnnxImport, AlexNetAndVgg11MatchPyTorch) {
  testing::TempDir dir;
  import_and_compare(testing::make_onnx_cases(dir, {"alexnet", "vgg11"}), dir);
}

}  // namespace
}  // namespace convnet
