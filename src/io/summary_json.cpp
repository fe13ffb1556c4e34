#include "convnet/io/summary_json.h"

#include <nlohmann/json.hpp>

namespace convnet::io {

std::string summary_to_json(const ModelSummary& s, int indent) {
  nlohmann::json layers = nlohmann::json::array();
  for (const LayerSummary& l : s.layers)
    layers.push_back({{"name", l.name},
                      {"type", l.type},
                      {"output_shape", l.output_shape.dims()},
                      {"params", l.params},
                      {"trainable_params", l.trainable_params},
                      {"trainable", l.trainable_params == l.params},
                      {"macs", l.macs},
                      {"activation_bytes", l.activation_bytes},
                      {"receptive_field", {{"size", {l.receptive_field.h, l.receptive_field.w}},
                                           {"jump", {l.jump.h, l.jump.w}}}},
                      {"inbound", l.inbound}});
  const nlohmann::json j{{"name", s.model_name},
                         {"input_shape", s.input_shape.dims()},
                         {"layers", layers},
                         {"total_params", s.total_params},
                         {"trainable_params", s.trainable_params},
                         {"non_trainable_params", s.non_trainable_params},
                         {"total_macs", s.total_macs},
                         {"activation_bytes", s.activation_bytes}};
  return j.dump(indent);
}

}  // namespace convnet::io
