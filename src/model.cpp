#include "convnet/model.h"

#include <iomanip>
#include <sstream>
#include <stdexcept>

namespace convnet {
namespace {

// 81194 -> "81,194"
std::string with_commas(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return (v < 0 ? "-" : "") + out;
}

// Keras prints the batch dimension as None: (None, 6, 30, 30).
std::string shape_cell(const Shape& s) {
  std::string out = "(None";
  for (int64_t d : s) out += ", " + std::to_string(d);
  return out + ")";
}

}  // namespace

Layer& Model::layer(const std::string& name) {
  std::string known;
  for (Layer* l : layers()) {
    if (l->name() == name) return *l;
    known += (known.empty() ? "" : ", ") + l->name();
  }
  throw std::invalid_argument("model '" + name_ + "' has no layer '" + name + "' (layers: " +
                              known + ")");
}

std::vector<NamedParam> Model::params() {
  std::vector<NamedParam> out;
  for (Layer* l : layers())
    for (const Param& p : l->params()) out.push_back({l->name() + "." + p.name, p, l});
  return out;
}

void Model::zero_grad() {
  for (Layer* l : layers()) l->zero_grad();
}

int64_t Model::count_params() {
  int64_t n = 0;
  for (Layer* l : layers()) n += l->param_count();
  return n;
}

ModelSummary Model::summary_info() {
  ModelSummary s;
  s.model_name = name_;
  s.input_shape = input_shape();
  const auto inbound = inbound_names();
  size_t i = 0;
  for (Layer* l : layers()) {
    LayerSummary row{l->name(), l->type(), l->built_output_shape(), l->param_count(),
                     l->trainable_param_count(), i < inbound.size() ? inbound[i] : std::vector<std::string>{}};
    ++i;
    s.total_params += row.params;
    s.trainable_params += row.trainable_params;
    s.layers.push_back(std::move(row));
  }
  s.non_trainable_params = s.total_params - s.trainable_params;
  return s;
}

std::string Model::summary() { return format_summary(summary_info()); }

std::string format_summary(const ModelSummary& s) {
  constexpr int kName = 29, kShape = 26, kParams = 10;
  bool graph = false;
  for (const LayerSummary& l : s.layers) graph |= !l.inbound.empty();
  const int kConnected = graph ? 30 : 0;
  const int width = kName + kShape + kParams + kConnected;
  const std::string rule(size_t(width), '_'), thick(size_t(width), '=');
  std::ostringstream os;
  os << "Model: \"" << s.model_name << "\"\n" << rule << "\n";
  os << std::left << std::setw(kName) << " Layer (type)" << std::setw(kShape) << "Output Shape"
     << std::setw(kParams) << "Param #" << (graph ? "Connected to" : "") << "\n"
     << thick << "\n";
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const LayerSummary& l = s.layers[i];
    std::string cell = " " + l.name + " (" + l.type + ")";
    if (int(cell.size()) >= kName) cell = cell.substr(0, kName - 1);
    os << std::left << std::setw(kName) << cell << std::setw(kShape) << shape_cell(l.output_shape)
       << std::setw(kParams) << with_commas(l.params);
    for (size_t k = 0; k < l.inbound.size(); ++k)
      os << (k ? "\n" + std::string(size_t(kName + kShape + kParams), ' ') : "") << l.inbound[k];
    os << "\n";
    if (i + 1 < s.layers.size()) os << "\n";
  }
  os << thick << "\n";
  os << "Total params: " << with_commas(s.total_params) << "\n";
  os << "Trainable params: " << with_commas(s.trainable_params) << "\n";
  os << "Non-trainable params: " << with_commas(s.non_trainable_params) << "\n";
  os << rule << "\n";
  return os.str();
}

}  // namespace convnet
