#include "convnet/checkpoint.h"

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "convnet/io/model_file.h"

namespace convnet {
namespace {

constexpr const char* kStateKey = "training_state";
constexpr const char* kClassNamesKey = "class_names";

nlohmann::json config_to_json(const Config& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [k, v] : c.items()) std::visit([&](const auto& x) { j[k] = x; }, v);
  return j;
}

Config config_from_json(const nlohmann::json& j) {
  Config c;
  for (const auto& [k, v] : j.items()) {
    if (v.is_boolean()) c.set(k, v.get<bool>());
    else if (v.is_number_integer()) c.set(k, v.get<int64_t>());
    else if (v.is_number()) c.set(k, v.get<double>());
    else if (v.is_string()) c.set(k, v.get<std::string>());
    else c.set(k, v.get<std::vector<int64_t>>());
  }
  return c;
}

}  // namespace

void save_checkpoint(const std::string& path, Model& model, Optimizer& optimizer,
                     const TrainingState& state) {
  io::SaveOptions extra;
  for (const auto& [name, tensor] : optimizer.state()) extra.extra_tensors.emplace_back(name, tensor);
  const nlohmann::json j{{"epoch", state.epoch},
                         {"batch", state.batch},
                         {"base_lr", state.base_lr},
                         {"iterations", optimizer.iterations()},
                         {"optimizer", optimizer.type()},
                         {"optimizer_config", config_to_json(optimizer.config())},
                         {"history", nlohmann::json::parse(state.history.to_json())}};
  extra.extra_metadata[kStateKey] = j.dump();
  if (!state.class_names.empty())
    extra.extra_metadata[kClassNamesKey] = nlohmann::json(state.class_names).dump();
  io::save_model(model, path, extra);
}

Checkpoint load_checkpoint(const std::string& path) {
  io::LoadedModel loaded = io::load_model(path);
  Checkpoint c;
  c.model = std::move(loaded.model);
  c.optimizer_state = std::move(loaded.extra_tensors);
  c.state.class_names = class_names_of(loaded.metadata);
  auto it = loaded.metadata.find(kStateKey);
  if (it == loaded.metadata.end()) return c;
  try {
    const nlohmann::json j = nlohmann::json::parse(it->second);
    c.state.epoch = j.at("epoch").get<int64_t>();
    c.state.batch = j.at("batch").get<int64_t>();
    c.state.base_lr = j.at("base_lr").get<double>();
    c.optimizer_type = j.at("optimizer").get<std::string>();
    c.optimizer_config = config_from_json(j.at("optimizer_config"));
    c.optimizer_config.set("iterations", j.at("iterations").get<int64_t>());
    c.state.history = History::from_json(j.at("history").dump());
  } catch (const std::exception& e) {
    throw std::runtime_error(path + ": corrupt training state: " + e.what());
  }
  return c;
}

std::vector<std::string> class_names_of(const std::map<std::string, std::string>& metadata) {
  auto it = metadata.find(kClassNamesKey);
  if (it == metadata.end()) return {};
  try {
    return nlohmann::json::parse(it->second).get<std::vector<std::string>>();
  } catch (const std::exception&) {
    return {};  // names are a convenience: a file with unreadable ones still predicts by index
  }
}

void Checkpoint::restore(Optimizer& optimizer) const {
  for (const auto& [name, tensor] : optimizer.state()) {
    auto it = optimizer_state.find(name);
    if (it == optimizer_state.end())
      throw std::runtime_error("checkpoint has no optimizer state '" + name + "' (saved with " +
                               (optimizer_type.empty() ? std::string("no optimizer") : optimizer_type) +
                               ", resuming with " + optimizer.type() + ")");
    if (!(it->second.shape() == tensor->shape()))
      throw std::runtime_error("checkpoint optimizer state '" + name + "' has shape " +
                               it->second.shape().str() + ", expected " + tensor->shape().str());
    tensor->copy_from(it->second);
  }
  optimizer.set_iterations(optimizer_config.get_int("iterations", 0));
}

}  // namespace convnet
