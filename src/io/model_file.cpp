#include "convnet/io/model_file.h"

#include <stdexcept>

#include "convnet/io/safetensors.h"
#include "tensor_budget.h"

namespace convnet::io {
namespace {

constexpr const char* kArchitectureKey = "convnet_architecture";
constexpr const char* kFormatKey = "format";
// The budget for rebuilding a file's architecture: each parameter once as value and once as
// gradient, plus room for buffers a layer may allocate when built. The file's tensors are bounded
// by its size, so this bounds what a hostile architecture can make us allocate.
constexpr int64_t kBudgetSlack = int64_t(1) << 20;

bool is_extra(const std::string& name) {
  return name.starts_with(kExtraTensorPrefix);
}

}  // namespace

void save_model(Model& model, const std::string& path, const SaveOptions& extra) {
  auto invalid = [&](const std::string& what) {
    throw std::invalid_argument("save_model " + path + ": " + what);
  };
  std::map<std::string, std::string> metadata = extra.extra_metadata;
  for (const char* reserved : {kFormatKey, kArchitectureKey})
    if (metadata.count(reserved))
      invalid("metadata key '" + std::string(reserved) + "' is reserved");
  metadata[kFormatKey] = "pt";
  metadata[kArchitectureKey] = architecture_to_json(model);

  std::vector<std::pair<std::string, const Tensor*>> tensors;
  for (const NamedParam& p : model.params()) {
    if (is_extra(p.name)) invalid("parameter '" + p.name + "' would read back as an extra tensor");
    tensors.emplace_back(p.name, p.param.value);
  }
  for (const auto& [name, tensor] : extra.extra_tensors) {
    if (name.empty()) invalid("an extra tensor has an empty name");
    tensors.emplace_back(kExtraTensorPrefix + name, tensor);
  }
  write_safetensors(path, tensors, metadata);
}

LoadedModel load_model(const std::string& path) {
  SafeTensors file = read_safetensors(path);
  auto fail = [&](const std::string& what) { throw std::runtime_error(path + ": " + what); };
  auto architecture = file.metadata.find(kArchitectureKey);
  if (architecture == file.metadata.end())
    fail(std::string("no '") + kArchitectureKey + "' in the metadata: not a convnet model file");

  int64_t elements = 0;
  for (const auto& [name, t] : file.tensors) elements += t.numel();
  LoadedModel out;
  try {
    const TensorBudget budget(2 * elements + kBudgetSlack);
    out.model = model_from_json(architecture->second);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  } catch (const std::exception& e) {
    fail("cannot rebuild the model architecture with the memory its " + std::to_string(elements) +
         " stored values justify: " + e.what());
  }

  std::map<std::string, const Tensor*> unclaimed;
  for (const auto& [name, t] : file.tensors) unclaimed.emplace(name, &t);
  for (const NamedParam& p : out.model->params()) {
    const Shape& want = p.param.value->shape();
    auto it = unclaimed.find(p.name);
    if (it == unclaimed.end())
      fail("tensor '" + p.name + "' " + want.str() + " of the architecture is missing");
    if (it->second->shape() != want)
      fail("tensor '" + p.name + "' has shape " + it->second->shape().str() +
           ", the architecture needs " + want.str());
    p.param.value->copy_from(*it->second);
    unclaimed.erase(it);
  }
  for (const auto& [name, t] : unclaimed) {
    if (!is_extra(name))
      fail("tensor '" + name + "' is no parameter of the architecture (extras are named '" +
           kExtraTensorPrefix + "<name>')");
    out.extra_tensors.emplace(name.substr(std::string(kExtraTensorPrefix).size()), *t);
  }
  out.metadata = std::move(file.metadata);
  return out;
}

}  // namespace convnet::io
