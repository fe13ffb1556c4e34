// ONNX test cases from tests/golden/onnx_models.py: models exported by PyTorch with inputs and
// PyTorch's outputs, and the ONNX checker + OpenCV run on files convnet exported.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "convnet/model.h"
#include "support/test_files.h"

namespace convnet::testing {

struct OnnxCase {
  std::string name, onnx, input, output;
  int opset = 0;
};

// Writes the cases ("lenet", "resnet18", ..., "ops") into dir.
std::vector<OnnxCase> make_onnx_cases(const TempDir& dir, const std::vector<std::string>& cases,
                                      int seed = 0);

// max |got - want| <= rel * max |want|, with the numbers in the message.
::testing::AssertionResult close_relative(const Tensor& got, const Tensor& want, double rel);

// Exports `model` at `opset` next to the case's files, checks that the file re-imported into
// convnet gives `expected` (convnet's output on the case's input) bit for bit, and returns the case
// with `onnx` naming the exported file and `output` the expected values, for verify_exports.
OnnxCase export_and_reimport(Model& model, const OnnxCase& c, const Tensor& expected, int opset,
                             const TempDir& dir);

// One run of the script for all: each file passes onnx.checker, and OpenCV's dnn module gives its
// `output` on its `input` to `rel` of the output's largest magnitude.
void verify_exports(const std::vector<OnnxCase>& exported, double rel = 1e-4);

}  // namespace convnet::testing
