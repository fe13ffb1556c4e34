// What several subcommands share: opening a model given by zoo name or file, and thread setup.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "convnet/model.h"
#include "convnet/zoo.h"

namespace convnet::cli {

// A saved model file (.safetensors), an ONNX model (.onnx, imported) when `spec` names an existing
// file, else a zoo model.
std::unique_ptr<Model> open_model(const std::string& spec, const zoo::ZooOptions& options = {});
bool is_model_file(const std::string& spec);

// open_model plus the class names of the training data a model file keeps (empty for zoo
// models, ONNX files and files saved without them).
struct NamedModel {
  std::unique_ptr<Model> model;
  std::vector<std::string> class_names;
};
NamedModel open_model_with_class_names(const std::string& spec);
bool is_onnx_file(const std::string& spec);

// "3x120x120" -> [3, 120, 120]; throws std::invalid_argument naming the text.
Shape parse_shape(const std::string& text);

}  // namespace convnet::cli
