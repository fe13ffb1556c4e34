// The ONNX commands end to end: convnet predict on a torchvision ResNet-18 export against PyTorch,
// import/export/summary, and transfer learning from an imported MobileNet v2 (train
// --replace-head with a frozen encoder) on a small image folder.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "convnet/data.h"
#include "convnet/graph.h"
#include "convnet/io/npy.h"
#include "convnet/io/onnx.h"
#include "convnet/layers/dense.h"
#include "convnet/transfer.h"
#include "support/onnx_cases.h"

namespace convnet {
namespace {

std::string cli(const std::string& args, int& status) {
  return testing::run_command(std::string(CONVNET_CLI) + " " + args + " 2>&1", status);
}

TEST(OnnxCli, PredictImportExportSummary) {
  testing::TempDir dir;
  const auto cases = testing::make_onnx_cases(dir, {"resnet18"});
  ASSERT_EQ(cases.size(), 1u);
  const auto& c = cases[0];
  int status = 0;
  const std::string y = dir.file("y.npy");
  std::string out = cli("predict --model " + c.onnx + " --input " + c.input + " --output " + y, status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_TRUE(testing::close_relative(io::read_npy(y), io::read_npy(c.output), 1e-4));

  const std::string st = dir.file("resnet18.safetensors"), back = dir.file("back.onnx");
  out = cli("import " + c.onnx + " -o " + st, status);
  ASSERT_EQ(status, 0) << out;
  out = cli("export " + st + " -o " + back + " --opset 13", status);
  ASSERT_EQ(status, 0) << out;
  out = cli("predict --model " + back + " --input " + c.input + " --output " + y, status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_TRUE(testing::close_relative(io::read_npy(y), io::read_npy(c.output), 1e-4));
  out = cli("summary " + c.onnx, status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_NE(out.find("Total params: "), std::string::npos) << out;
  // torchvision's parameter names survive where torch kept them (the fc layer).
  EXPECT_NE(out.find("fc (Dense)"), std::string::npos) << out;
}

TEST(OnnxCli, ReplaceHeadKeepsEncoderAndFreezesIt) {
  testing::TempDir dir;
  const auto cases = testing::make_onnx_cases(dir, {"mobilenet_v2"});
  auto base = io::import_onnx(cases.at(0).onnx);
  auto model = replace_head(*base, 3, 5);
  freeze_until(*model, "");
  EXPECT_EQ(model->output_shape(), Shape({3}));
  EXPECT_EQ(model->layers().size(), base->layers().size());
  auto* head = dynamic_cast<Dense*>(model->layers().back());
  ASSERT_NE(head, nullptr);
  EXPECT_TRUE(head->trainable());
  for (size_t k = 0; k + 1 < model->layers().size(); ++k) EXPECT_FALSE(model->layers()[k]->trainable());
  // The encoder's parameters are copied: the features before the head are the same.
  EXPECT_EQ(model->params().front().param.value->data()[0], base->params().front().param.value->data()[0]);
  EXPECT_THROW(freeze_until(*model, "no_such_layer"), std::invalid_argument);
}

// Three classes of 32 x 32 colour images: a red, a green or a blue tint under noise.
void write_image_folder(const testing::TempDir& dir) {
  Rng rng(4);
  for (int cls = 0; cls < 3; ++cls)
    for (int k = 0; k < 40; ++k) {
      Tensor img({3, 32, 32});
      for (int64_t c = 0; c < 3; ++c)
        for (int64_t i = 0; i < 32 * 32; ++i)
          img[c * 1024 + i] = std::clamp(rng.uniform(0.0f, 0.3f) + (c == cls ? 0.6f : 0.0f), 0.0f, 1.0f);
      write_png(dir.file("data/class" + std::to_string(cls) + "/" + std::to_string(k) + ".png"), img);
    }
}

TEST(OnnxCli, FineTuneImportedMobileNetImprovesValidationAccuracy) {
  testing::TempDir dir;
  const auto cases = testing::make_onnx_cases(dir, {"mobilenet_v2"});
  write_image_folder(dir);
  int status = 0;
  const std::string history = dir.file("history.json");
  const std::string out = cli("train --model " + cases.at(0).onnx + " --data " + dir.file("data") +
                                  " --replace-head 3 --epochs 4 --batch-size 16 --lr 0.001"
                                  " --validation-split 0.25 --quiet --out " + dir.file("ft.safetensors") +
                                  " --history " + history, status);
  ASSERT_EQ(status, 0) << out;
  nlohmann::json h;
  std::ifstream(history) >> h;
  ASSERT_TRUE(h.is_array() || h.contains("epochs")) << h.dump();
  const auto& epochs = h.is_array() ? h : h.at("epochs");
  ASSERT_EQ(epochs.size(), 4u) << h.dump();
  const double first = epochs.front().at("val_accuracy"), last = epochs.back().at("val_accuracy");
  EXPECT_GT(last, first) << h.dump();
}

}  // namespace
}  // namespace convnet
