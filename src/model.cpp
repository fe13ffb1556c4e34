#include "convnet/model.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <map>
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

// Receptive field of a unit: its size on the model input, the input distance between
// neighbouring units (the product of the strides so far), and where unit (0, 0)'s field starts.
struct Field {
  Size2 size = 1, jump = 1;
  int64_t top = 0, left = 0;
};

// A window of kernel k and stride s over units with field f: each new unit sees k units spaced
// f.jump apart, so its field grows by (k - 1) * jump. An up-sampling factor u packs u outputs into
// the distance of one input unit. The first window starts pad units before the first input unit.
Field apply(const Field& f, const Layer::Window& w) {
  auto jump = [](int64_t j, int64_t s, int64_t u) { return std::max<int64_t>(1, (j * s + u - 1) / u); };
  return {{f.size.h + (w.kernel.h - 1) * f.jump.h, f.size.w + (w.kernel.w - 1) * f.jump.w},
          {jump(f.jump.h, w.stride.h, w.upsample.h), jump(f.jump.w, w.stride.w, w.upsample.w)},
          f.top - w.pad_top * f.jump.h, f.left - w.pad_left * f.jump.w};
}
Field widest(const Field& a, const Field& b) {
  return {{std::max(a.size.h, b.size.h), std::max(a.size.w, b.size.w)},
          {std::max(a.jump.h, b.jump.h), std::max(a.jump.w, b.jump.w)},
          std::min(a.top, b.top), std::min(a.left, b.left)};
}
// After Flatten, Dense or global pooling every unit sees the whole input.
Field whole(Size2 image) { return {image, image, 0, 0}; }

// 15470264320 -> "15.47G"; 0 -> "0".
std::string human(double v, const char* unit) {
  const char* prefixes[] = {"", "K", "M", "G", "T"};
  int p = 0;
  while (v >= 1000.0 && p < 4) {
    v /= 1000.0;
    ++p;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, p ? "%.2f%s%s" : "%.0f%s%s", v, prefixes[p], unit);
  return buf;
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
  // Receptive fields by node name; the model inputs (and a Sequential's predecessor) start at 1.
  std::map<std::string, Field> fields;
  Field previous;
  const Size2 image = s.input_shape.rank() == 3 ? Size2{s.input_shape[1], s.input_shape[2]} : Size2{1};
  size_t i = 0;
  for (Layer* l : layers()) {
    LayerSummary row{l->name(), l->type(), l->built_output_shape(), l->param_count(),
                     l->trainable_param_count(), i < inbound.size() ? inbound[i] : std::vector<std::string>{}};
    ++i;
    row.macs = l->macs();
    row.activation_bytes = row.output_shape.numel() * int64_t(sizeof(float));
    Field in = row.inbound.empty() ? previous : Field{};
    for (const std::string& name : row.inbound)
      if (fields.count(name)) in = widest(in, fields[name]);
    const Field out = row.output_shape.rank() == 3 ? apply(in, l->window()) : whole(image);
    fields[row.name] = previous = out;
    row.receptive_field = out.size;
    row.jump = out.jump;
    row.field_top = out.top;
    row.field_left = out.left;
    s.total_params += row.params;
    s.trainable_params += row.trainable_params;
    s.total_macs += row.macs;
    s.activation_bytes += row.activation_bytes;
    s.layers.push_back(std::move(row));
  }
  s.non_trainable_params = s.total_params - s.trainable_params;
  return s;
}

std::string Model::summary() { return format_summary(summary_info()); }

std::string format_summary(const ModelSummary& s) {
  bool graph = false;
  for (const LayerSummary& l : s.layers) graph |= !l.inbound.empty();
  // Keras' three columns, then what a learner wants to know besides: cost, memory, field of view.
  const std::vector<int> widths{30, 22, 12, 10, 11, 17};
  int width = 0;
  for (int w : widths) width += w;
  if (graph) width += 22;
  const std::string rule(size_t(width), '_'), thick(size_t(width), '=');
  std::ostringstream os;
  auto row = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      std::string cell = cells[c];
      if (c < widths.size() && int(cell.size()) >= widths[c]) cell = cell.substr(0, size_t(widths[c] - 2)) + "~";
      os << std::left << std::setw(c < widths.size() ? widths[c] : 0) << cell;
    }
    os << "\n";
  };
  os << "Model: \"" << s.model_name << "\"\n" << rule << "\n";
  std::vector<std::string> head{" Layer (type)", "Output Shape", "Param #", "MACs", "Memory",
                                "Receptive field"};
  if (graph) head.push_back("Connected to");
  row(head);
  os << thick << "\n";
  for (size_t i = 0; i < s.layers.size(); ++i) {
    const LayerSummary& l = s.layers[i];
    std::vector<std::string> cells{" " + l.name + " (" + l.type + ")", shape_cell(l.output_shape),
                                   with_commas(l.params), human(double(l.macs), ""),
                                   human(double(l.activation_bytes), "B"),
                                   std::to_string(l.receptive_field.h) + "x" +
                                       std::to_string(l.receptive_field.w) +
                                       (l.output_shape.rank() == 3
                                            ? " /" + std::to_string(l.jump.h)
                                            : std::string(" (all)"))};
    for (size_t k = 0; k < std::max<size_t>(l.inbound.size(), 1); ++k) {
      if (graph) cells.push_back(k < l.inbound.size() ? l.inbound[k] : "");
      row(cells);
      cells.assign(widths.size(), "");
    }
    if (i + 1 < s.layers.size()) os << "\n";
  }
  os << thick << "\n";
  os << "Total params: " << with_commas(s.total_params) << "\n";
  os << "Trainable params: " << with_commas(s.trainable_params) << "\n";
  os << "Non-trainable params: " << with_commas(s.non_trainable_params) << "\n";
  os << rule << "\n";
  os << "Multiply-accumulates per image: " << human(double(s.total_macs), "") << " ("
     << with_commas(s.total_macs) << ")\n";
  os << "Activation memory per image: " << human(double(s.activation_bytes), "B") << "\n";
  os << "Parameter memory: " << human(double(s.total_params) * 4.0, "B") << "\n";
  os << rule << "\n";
  return os.str();
}

}  // namespace convnet
