#include "common.h"

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "convnet/checkpoint.h"
#include "convnet/io/model_file.h"
#include "convnet/io/onnx.h"

namespace convnet::cli {

bool is_onnx_file(const std::string& spec) { return spec.ends_with(".onnx"); }

bool is_model_file(const std::string& spec) {
  return std::filesystem::is_regular_file(spec) ||
         spec.find(".safetensors") != std::string::npos || is_onnx_file(spec);
}

std::unique_ptr<Model> open_model(const std::string& spec, const zoo::ZooOptions& options) {
  if (is_onnx_file(spec)) return io::import_onnx(spec);
  if (is_model_file(spec)) return io::load_model(spec).model;
  return zoo::make_model(spec, options);
}

NamedModel open_model_with_class_names(const std::string& spec) {
  if (!is_model_file(spec) || is_onnx_file(spec)) return {open_model(spec), {}};
  io::LoadedModel loaded = io::load_model(spec);
  return {std::move(loaded.model), class_names_of(loaded.metadata)};
}

Shape parse_shape(const std::string& text) {
  std::vector<int64_t> dims;
  std::stringstream ss(text);
  std::string part;
  while (std::getline(ss, part, 'x')) {
    size_t used = 0;
    int64_t d = 0;
    try {
      d = std::stoll(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != part.size() || d < 1)
      throw std::invalid_argument("bad shape '" + text + "' (expected e.g. 3x224x224)");
    dims.push_back(d);
  }
  if (dims.empty()) throw std::invalid_argument("bad shape '" + text + "' (expected e.g. 3x224x224)");
  return Shape(std::move(dims));
}

}  // namespace convnet::cli
