// ONNX import and export: models trained in PyTorch or Keras run, fine-tune and save in convnet, and
// convnet models run in any ONNX consumer.
//
//   auto model = io::import_onnx("resnet18.onnx");      // an ordinary Graph: summary, fit, save
//   io::export_onnx(*model, "resnet18.onnx", {.opset = 13});
//
// Import maps each ONNX node to a convnet layer; initializers become the layers' parameters
// (PyTorch's layouts are ours: Conv weight [OC, IC/groups, KH, KW], Gemm/MatMul weight [out, in]).
// The shape computations that torch.onnx.export writes around Flatten/Reshape (Shape, Gather,
// Unsqueeze, Squeeze, Concat, Cast, Slice, Transpose, ConstantOfShape, Reshape, arithmetic on
// constants) are folded at import time, so the model
// input needs fixed per-sample dimensions; the batch dimension may be dynamic. Opsets 9 to 17.
//
// Supported operators (import): Conv (group, dilation, pads, auto_pad), ConvTranspose, Gemm,
// MatMul (+ Add as its bias), BatchNormalization, Relu, LeakyRelu, PRelu, Sigmoid, Tanh, Elu,
// Clip (0..6 as ReLU6, 0.. as ReLU), Softmax, MaxPool, AveragePool (count_include_pad, ceil_mode),
// GlobalAveragePool, GlobalMaxPool, LRN, Dropout, Flatten, Reshape, Add, Concat, Mul, Pad
// (constant zeros), Upsample/Resize (nearest, bilinear), Identity, Constant, and the folded shape
// operators. Anything else (an operator, an attribute value, a data type) is refused with a
// std::runtime_error naming the node, its operator and what is supported; a malformed or
// truncated file is refused the same way, never with a crash.
//
// Export writes every layer that ONNX expresses (all but Maxout) with its parameters as
// initializers under their convnet names ("conv2d.weight"); the batch dimension is dynamic ("N").
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "convnet/model.h"

namespace convnet::io {

// Reads an ONNX model file into a Graph. Throws std::runtime_error "<path>: <what is wrong>".
std::unique_ptr<Model> import_onnx(const std::string& path);
// The same from the serialized bytes of a ModelProto (`source` names them in errors).
std::unique_ptr<Model> import_onnx_bytes(const std::string& bytes,
                                         const std::string& source = "ONNX model");

// The operator types import_onnx understands.
std::vector<std::string> onnx_supported_operators();

struct OnnxExportOptions {
  int opset = 13;  // 9 to 17; some layers need more (bilinear UpSampling2D: 11)
};

// Writes the model (a Sequential or a Graph) as an ONNX file, atomically. Throws
// std::invalid_argument naming a layer ONNX cannot express at that opset, std::runtime_error when
// the file system fails.
void export_onnx(Model& model, const std::string& path, const OnnxExportOptions& options = {});
// The serialized ModelProto.
std::string export_onnx_bytes(Model& model, const OnnxExportOptions& options = {});

}  // namespace convnet::io
