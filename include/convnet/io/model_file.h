// Model files: architecture and weights in one safetensors file (see io/safetensors.h), which the
// safetensors Python library loads as a PyTorch state_dict.
//
//   io::save_model(model, "lenet5.safetensors");
//   io::LoadedModel m = io::load_model("lenet5.safetensors");
//   Tensor y = m.model->forward(x);
//
// What a file holds:
//   tensors   every parameter and state buffer under its NamedParam name ("conv2d.weight",
//             "conv2d.bias", ...: PyTorch's state_dict keys), F32, in model order; then the
//             caller's extra tensors (optimizer state, ...) under "extra/<name>".
//   metadata  "format": "pt" (the safetensors library's torch loader wants it);
//             "convnet_architecture": architecture_to_json(model); then the caller's extra
//             metadata (e.g. "training_state" JSON text) under its own keys.
//
// The architecture JSON:
//   {"format": "convnet", "version": 1, "class": "Sequential", "name": "lenet5",
//    "input_shape": [1, 28, 28],
//    "layers": [{"type": "Conv2D", "name": "conv2d", "trainable": true,
//                "config": {"filters": 6, "kernel": [5, 5], "activation": "relu", ...}}, ...]}
// Config values map to JSON as bool -> true/false, int -> integer, float -> number with a
// fraction or exponent (1.0, never 1), string -> string, int list -> list of integers.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "convnet/model.h"

namespace convnet::io {

// The prefix under which SaveOptions::extra_tensors are stored.
inline constexpr const char* kExtraTensorPrefix = "extra/";

// Throws std::invalid_argument for a model class other than Sequential or a non-finite float in a
// config.
std::string architecture_to_json(Model& model);

// Rebuilds the model: each layer through make_layer(type, config), its name and trainable flag
// restored, its parameters freshly initialized. Throws std::invalid_argument naming what is wrong
// (invalid JSON, unknown format, version, class or layer type, a bad config, a shape mismatch).
std::unique_ptr<Model> model_from_json(const std::string& architecture_json);

struct SaveOptions {
  // Stored as "extra/<name>"; returned by load_model under <name>.
  std::vector<std::pair<std::string, const Tensor*>> extra_tensors = {};
  // Stored as given; the keys "format" and "convnet_architecture" are reserved.
  std::map<std::string, std::string> extra_metadata = {};
};

// Writes atomically (see write_safetensors). Throws std::invalid_argument for bad extras or a model
// that architecture_to_json refuses, std::runtime_error when the file system fails.
void save_model(Model& model, const std::string& path, const SaveOptions& extra = {});

struct LoadedModel {
  std::unique_ptr<Model> model;
  std::map<std::string, Tensor> extra_tensors;  // without the "extra/" prefix
  std::map<std::string, std::string> metadata;  // all of it, the reserved keys included
};

// Reads a file written by save_model. Every parameter of the rebuilt architecture must be in the
// file with exactly its shape; every tensor of the file must be a parameter or an extra. Throws
// std::runtime_error "<path>: <what is wrong>" (naming the missing, unexpected or misshapen tensor)
// for any violation; the architecture is rebuilt with no more memory than the file's tensors
// justify, so a hostile file cannot make it allocate without bound.
LoadedModel load_model(const std::string& path);

}  // namespace convnet::io
