// A model's architecture as JSON and back (the format is in convnet/io/model_file.h).
#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "convnet/io/model_file.h"
#include "convnet/graph.h"
#include "convnet/sequential.h"

namespace convnet::io {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr int64_t kVersion = 1;
// Architectures come from files, so their numbers are bounded before any shape arithmetic sees
// them: integers within int32, lists and shapes whose products fit int64, text of at most 8 MiB
// nested at most 16 deep (nlohmann keeps a stack entry per level and a node per value).
constexpr int64_t kMaxInt = std::numeric_limits<int32_t>::max();
constexpr size_t kMaxTextBytes = size_t(8) << 20;
constexpr size_t kMaxNesting = 16;

[[noreturn]] void bad(const std::string& what) {
  throw std::invalid_argument("model architecture: " + what);
}

// The deepest nesting of objects and lists, counted before parsing.
size_t nesting_depth(const std::string& text) {
  size_t depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

// json::parse, refusing what nlohmann would let pass: text after a NUL byte (nlohmann takes it for
// the end) and duplicate keys (nlohmann keeps the last), either of which would let a file say one
// thing to us and another to other readers; and text too large or deep to parse in bounded memory.
json parse_strictly(const std::string& text) {
  if (text.size() > kMaxTextBytes)
    bad(std::to_string(text.size()) + " bytes exceed the limit of " +
        std::to_string(kMaxTextBytes));
  if (nesting_depth(text) > kMaxNesting)
    bad("nests deeper than " + std::to_string(kMaxNesting) + " levels");
  if (text.find('\0') != std::string::npos) bad("not valid JSON: it contains a NUL byte");
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto watch_keys = [&](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::object_start) open_objects.emplace_back();
    if (event == json::parse_event_t::object_end) open_objects.pop_back();
    if (event == json::parse_event_t::key && duplicate.empty() &&
        !open_objects.back().insert(parsed.get<std::string>()).second)
      duplicate = parsed.get<std::string>();
    return true;
  };
  json j;
  try {
    j = json::parse(text, watch_keys);
  } catch (const json::parse_error& e) {
    bad(std::string("not valid JSON: ") + e.what());
  }
  if (!duplicate.empty()) bad("an object has the key \"" + duplicate + "\" twice");
  return j;
}

int64_t to_int(const json& v, const std::string& where) {
  if (!v.is_number_integer()) bad(where + " must be an integer");
  const bool in_range = v.is_number_unsigned()
                            ? v.get<uint64_t>() <= uint64_t(kMaxInt)
                            : v.get<int64_t>() >= -kMaxInt && v.get<int64_t>() <= kMaxInt;
  if (!in_range) bad(where + " = " + v.dump() + " is out of range");
  return v.get<int64_t>();
}

std::vector<int64_t> to_ints(const json& v, const std::string& where) {
  if (!v.is_array()) bad(where + " must be a list of integers");
  std::vector<int64_t> out;
  int64_t product = 1;
  for (const json& e : v) {
    out.push_back(to_int(e, where + "[" + std::to_string(out.size()) + "]"));
    if (__builtin_mul_overflow(product, std::max<int64_t>(1, std::abs(out.back())), &product))
      bad(where + " has too large a product");
  }
  return out;
}

ConfigValue to_config_value(const json& v, const std::string& where) {
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_integer()) return to_int(v, where);
  if (v.is_number_float()) return v.get<double>();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_array()) return to_ints(v, where);
  bad(where + " must be a boolean, number, string or list of integers, not " + v.type_name());
}

const json& field(const json& object, const char* key, json::value_t type,
                  const std::string& where) {
  auto it = object.find(key);
  if (it == object.end()) bad(where + " has no \"" + key + "\"");
  const bool integer = type == json::value_t::number_integer && it->is_number_integer();
  if (it->type() != type && !integer)
    bad(where + " \"" + key + "\" must be " + json(type).type_name() + ", not " + it->type_name());
  return *it;
}

void check_numel(const Shape& s, const std::string& where) {
  int64_t n = 1;
  for (int64_t d : s)
    if (d < 0 || __builtin_mul_overflow(n, d, &n)) bad(where + " has too large a shape " + s.str());
}

std::unique_ptr<Layer> layer_from_json(const json& j, const std::string& where) {
  if (!j.is_object()) bad(where + " must be an object");
  const std::string type = field(j, "type", json::value_t::string, where).get<std::string>();
  const std::string name = field(j, "name", json::value_t::string, where).get<std::string>();
  if (name.empty()) bad(where + " has an empty name");
  Config config;
  for (const auto& [key, value] : field(j, "config", json::value_t::object, where).items())
    config.set(key, to_config_value(value, where + " config \"" + key + "\""));
  std::unique_ptr<Layer> layer;
  try {
    layer = make_layer(type, config);
  } catch (const std::invalid_argument& e) {
    bad(where + " (" + name + "): " + e.what());
  }
  layer->set_name(name);
  layer->set_trainable(field(j, "trainable", json::value_t::boolean, where).get<bool>());
  return layer;
}

// Errors of the model and its layers (shape mismatches, duplicate names) get the position.
template <typename Step>
auto located(const std::string& where, Step&& step) {
  try {
    return step();
  } catch (const std::invalid_argument& e) {
    bad(where + ": " + e.what());
  }
}

std::unique_ptr<Model> graph_from_json(const json& j) {
  using T = json::value_t;
  const std::string name = field(j, "name", T::string, "the model").get<std::string>();
  auto graph = std::make_unique<Graph>(GraphOptions{.name = name});
  std::map<std::string, SymbolicTensor> tensors;
  const json& inputs = field(j, "inputs", T::array, "the model");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string where = "input " + std::to_string(i);
    if (!inputs[i].is_object()) bad(where + " must be an object");
    const std::string in_name = field(inputs[i], "name", T::string, where).get<std::string>();
    const Shape shape(to_ints(field(inputs[i], "shape", T::array, where), where + " shape"));
    check_numel(shape, where + " shape");
    if (tensors.count(in_name)) bad(where + ": the name '" + in_name + "' is taken");
    tensors[in_name] = located(where, [&] { return graph->input(shape, in_name); });
  }
  const json& layers = field(j, "layers", T::array, "the model");
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string where = "layer " + std::to_string(i);
    std::unique_ptr<Layer> layer = layer_from_json(layers[i], where);
    std::vector<SymbolicTensor> args;
    for (const json& in : field(layers[i], "inbound", T::array, where)) {
      if (!in.is_string() || !tensors.count(in.get<std::string>()))
        bad(where + " (" + layer->name() + "): inbound " + in.dump() + " names no earlier node");
      args.push_back(tensors[in.get<std::string>()]);
    }
    const std::string layer_name = layer->name();
    tensors[layer_name] = located(where, [&] { return graph->add(std::move(layer), args); });
    check_numel(tensors[layer_name].shape, where + " (" + layer_name + ") output");
  }
  std::vector<SymbolicTensor> outputs;
  for (const json& out : field(j, "outputs", T::array, "the model")) {
    if (!out.is_string() || !tensors.count(out.get<std::string>()))
      bad("output " + out.dump() + " names no node");
    outputs.push_back(tensors[out.get<std::string>()]);
  }
  located("outputs", [&] { graph->set_outputs(outputs); return 0; });
  return graph;
}

}  // namespace

std::string architecture_to_json(Model& model) {
  auto* graph = dynamic_cast<Graph*>(&model);
  if (!graph && !dynamic_cast<Sequential*>(&model))
    throw std::invalid_argument("architecture_to_json: model '" + model.name() +
                                "' is neither a Sequential nor a Graph");
  const auto inbound = model.inbound_names();
  ordered_json layers = ordered_json::array();
  size_t index = 0;
  for (Layer* l : model.layers()) {
    ordered_json config = ordered_json::object();
    const Config layer_config = l->config();
    for (const auto& [key, value] : layer_config.items()) {
      if (const double* d = std::get_if<double>(&value); d && !std::isfinite(*d))
        throw std::invalid_argument("architecture_to_json: layer '" + l->name() + "' config '" +
                                    key + "' is not finite");
      std::visit([&](const auto& v) { config[key] = v; }, value);
    }
    ordered_json layer{{"type", l->type()},
                       {"name", l->name()},
                       {"trainable", l->trainable()},
                       {"config", std::move(config)}};
    if (graph) layer["inbound"] = inbound.at(index);
    layers.push_back(std::move(layer));
    ++index;
  }
  ordered_json j{{"format", "convnet"},
                 {"version", kVersion},
                 {"class", graph ? "Graph" : "Sequential"},
                 {"name", model.name()}};
  if (graph) {
    ordered_json inputs = ordered_json::array();
    const auto shapes = graph->input_shapes();
    for (size_t i = 0; i < shapes.size(); ++i)
      inputs.push_back({{"name", graph->input_names()[i]}, {"shape", shapes[i].dims()}});
    j["inputs"] = std::move(inputs);
    j["layers"] = std::move(layers);
    j["outputs"] = graph->output_names();
  } else {
    j["input_shape"] = model.input_shape().dims();
    j["layers"] = std::move(layers);
  }
  return j.dump();
}

std::unique_ptr<Model> model_from_json(const std::string& text) {
  const json j = parse_strictly(text);
  if (!j.is_object()) bad("is " + std::string(j.type_name()) + ", not a JSON object");
  using T = json::value_t;
  const std::string format = field(j, "format", T::string, "the model").get<std::string>();
  if (format != "convnet") bad("format is '" + format + "', expected 'convnet'");
  const int64_t version = to_int(field(j, "version", T::number_integer, "the model"), "version");
  if (version != kVersion)
    bad("version " + std::to_string(version) + " is not the version this convnet reads (" +
        std::to_string(kVersion) + ")");
  const std::string model_class = field(j, "class", T::string, "the model").get<std::string>();
  if (model_class == "Graph") return graph_from_json(j);
  if (model_class != "Sequential")
    bad("unknown model class '" + model_class + "' (known: Sequential, Graph)");

  const Shape input(to_ints(field(j, "input_shape", T::array, "the model"), "input_shape"));
  check_numel(input, "input_shape");
  const std::string name = field(j, "name", T::string, "the model").get<std::string>();
  const json& layers = field(j, "layers", T::array, "the model");
  auto model = located("input_shape", [&] {
    return std::make_unique<Sequential>(input, SequentialOptions{.name = name});
  });
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string where = "layer " + std::to_string(i);
    std::unique_ptr<Layer> layer = layer_from_json(layers[i], where);
    // The output shape is checked before add() builds the layer, which allocates.
    const Shape out = located(where, [&] { return layer->output_shape(model->output_shape()); });
    check_numel(out, where + " (" + layer->name() + ") output");
    located(where, [&] { model->add(std::move(layer)); });
  }
  return model;
}

}  // namespace convnet::io
