#include "onnx_import.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "convnet/io/onnx.h"

namespace convnet::io {
namespace onnx_detail {
namespace {

// The sample shape (batch dimension dropped) of a graph input, which must be float32 and fixed
// apart from the batch.
Shape input_shape(const onnx::ValueInfoProto& v, int64_t& batch) {
  const std::string what = "graph input '" + v.name() + "'";
  if (!v.type().has_tensor_type()) throw std::runtime_error(what + ": not a tensor");
  const auto& tt = v.type().tensor_type();
  if (tt.elem_type() != onnx::TensorProto::FLOAT)
    throw std::runtime_error(what + ": data type " + data_type_name(tt.elem_type()) +
                             " is not supported (supported: FLOAT)");
  const auto& dims = tt.shape().dim();
  if (dims.size() < 2)
    throw std::runtime_error(what + ": rank " + std::to_string(dims.size()) +
                             ", expected a batch dimension and at least one more");
  batch = dims[0].has_dim_value() && dims[0].dim_value() > 0 ? dims[0].dim_value() : 1;
  std::vector<int64_t> sample;
  for (int k = 1; k < dims.size(); ++k) {
    if (!dims[k].has_dim_value() || dims[k].dim_value() < 1)
      throw std::runtime_error(what + ": dimension " + std::to_string(k) +
                               " is not a fixed size (only the batch may vary)");
    sample.push_back(dims[k].dim_value());
  }
  return Shape(std::move(sample));
}

std::string join(const std::vector<std::string>& names) {
  std::string s;
  for (const auto& n : names) s += (s.empty() ? "" : ", ") + n;
  return s;
}

}  // namespace

Importer::Importer(const onnx::ModelProto& model, Graph& graph) : model_(model), graph_(graph) {
  for (const auto& op : model.opset_import())
    if (op.domain().empty() || op.domain() == "ai.onnx") opset_ = int(op.version());
  if (opset_ == 0) throw std::runtime_error("no ONNX opset (opset_import names no default domain)");
  if (opset_ < 7 || opset_ > 18)
    throw std::runtime_error("opset " + std::to_string(opset_) + " is not supported (9 to 17)");
}

void Importer::run() {
  const onnx::GraphProto& g = model_.graph();
  for (const auto& t : g.initializer())
    values_[t.name()].constant = read_tensor(t, "initializer '" + t.name() + "'");
  for (const auto& v : g.input()) {
    if (values_.count(v.name())) continue;  // an initializer listed as input (IR version < 4)
    int64_t batch = 1;
    const Shape shape = input_shape(v, batch);
    batch_ = batch;
    values_[v.name()].runtime = graph_.input(shape, v.name());
    layer_names_.insert(v.name());
  }
  if (graph_.input_count() == 0) throw std::runtime_error("the graph has no runtime input");
  for (const auto& n : g.node())
    for (const auto& in : n.input()) consumers_[in].push_back(&n);
  consumers_.erase("");  // absent optional inputs

  for (const auto& n : g.node()) {
    node_ = &n;
    if (absorbed_.count(&n)) continue;
    if (!n.domain().empty() && n.domain() != "ai.onnx")
      fail("operator domain '" + n.domain() + "' is not supported (only the default ONNX domain)");
    bool all_constant = true;
    for (int k = 0; k < n.input_size(); ++k)
      if (has_input(k) && !is_constant(k)) all_constant = false;
    const auto& folds = fold_handlers();
    const auto& layers = layer_handlers();
    if (auto f = folds.find(n.op_type());
        f != folds.end() && (all_constant || n.op_type() == "Shape")) {
      f->second(*this);
    } else if (auto l = layers.find(n.op_type()); l != layers.end()) {
      l->second(*this);
    } else if (f != folds.end()) {
      fail("runs on constants only here (its inputs must be known at import time)");
    } else {
      fail("operator not supported; supported operators: " + join(onnx_supported_operators()));
    }
  }
  std::vector<SymbolicTensor> outputs;
  for (const auto& o : g.output()) {
    auto it = values_.find(o.name());
    if (it == values_.end()) throw std::runtime_error("graph output '" + o.name() + "' is never computed");
    if (!it->second.runtime)
      throw std::runtime_error("graph output '" + o.name() + "' is a constant, not computed from the input");
    outputs.push_back(*it->second.runtime);
  }
  if (outputs.empty()) throw std::runtime_error("the graph has no output");
  graph_.set_outputs(outputs);
}

std::string Importer::where() const {
  return "node '" + node_->name() + "' (" + node_->op_type() + ")";
}

void Importer::fail(const std::string& what) const {
  throw std::runtime_error(where() + ": " + what);
}

bool Importer::has_input(int k) const {
  return k < node_->input_size() && !node_->input(k).empty();
}

const Value& Importer::value(int k) const {
  if (!has_input(k)) fail("input " + std::to_string(k) + " is missing");
  auto it = values_.find(node_->input(k));
  if (it == values_.end())
    fail("input '" + node_->input(k) + "' is not defined before this node");
  return it->second;
}

bool Importer::is_constant(int k) const { return !value(k).runtime.has_value(); }

SymbolicTensor Importer::runtime(int k) const {
  const Value& v = value(k);
  if (!v.runtime) fail("input " + std::to_string(k) + " ('" + node_->input(k) +
                       "') is a constant; convnet needs a tensor computed from the model input here");
  return *v.runtime;
}

const Constant& Importer::constant(int k) const {
  const Value& v = value(k);
  if (v.runtime) fail("input " + std::to_string(k) + " ('" + node_->input(k) +
                      "') must be a constant (an initializer), not computed from the model input");
  return v.constant;
}

void Importer::check_attributes(std::initializer_list<const char*> known) const {
  for (const auto& a : node_->attribute()) {
    bool ok = false;
    for (const char* k : known) ok = ok || a.name() == k;
    if (!ok) {
      std::vector<std::string> names(known.begin(), known.end());
      fail("attribute '" + a.name() + "' is not supported (supported: " +
           (names.empty() ? "none" : join(names)) + ")");
    }
  }
}

const onnx::AttributeProto* Importer::attribute(const char* name) const {
  for (const auto& a : node_->attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

int64_t Importer::attr_int(const char* name, int64_t fallback) const {
  const auto* a = attribute(name);
  return a ? a->i() : fallback;
}

float Importer::attr_float(const char* name, float fallback) const {
  const auto* a = attribute(name);
  return a ? a->f() : fallback;
}

std::string Importer::attr_string(const char* name, const std::string& fallback) const {
  const auto* a = attribute(name);
  return a ? a->s() : fallback;
}

std::vector<int64_t> Importer::attr_ints(const char* name, std::vector<int64_t> fallback) const {
  const auto* a = attribute(name);
  return a ? std::vector<int64_t>(a->ints().begin(), a->ints().end()) : fallback;
}

std::vector<float> Importer::attr_floats(const char* name) const {
  const auto* a = attribute(name);
  return a ? std::vector<float>(a->floats().begin(), a->floats().end()) : std::vector<float>{};
}

void Importer::only_first_output() const {
  for (int k = 1; k < node_->output_size(); ++k) {
    auto it = consumers_.find(node_->output(k));
    bool is_graph_output = false;
    for (const auto& o : model_.graph().output()) is_graph_output |= o.name() == node_->output(k);
    if (!node_->output(k).empty() && ((it != consumers_.end() && !it->second.empty()) || is_graph_output))
      fail("output " + std::to_string(k) + " ('" + node_->output(k) +
           "') is used; convnet computes only the first output");
  }
}

void Importer::define(int output, SymbolicTensor t) {
  if (output >= node_->output_size()) fail("has no output " + std::to_string(output));
  values_[node_->output(output)] = Value{t, {}};
}

void Importer::define(int output, Constant c) {
  if (output >= node_->output_size()) fail("has no output " + std::to_string(output));
  values_[node_->output(output)] = Value{std::nullopt, std::move(c)};
}

SymbolicTensor Importer::add_layer(std::unique_ptr<Layer> layer,
                                   const std::vector<SymbolicTensor>& inputs,
                                   const std::map<std::string, Tensor>& values) {
  const std::string suffix = ".weight";
  for (int k = 1; k < node_->input_size(); ++k) {
    const std::string& in = node_->input(k);
    if (in.size() > suffix.size() && in.ends_with(suffix)) {
      const std::string stem = in.substr(0, in.size() - suffix.size());
      if (!layer_names_.count(stem)) layer->set_name(stem);
      break;
    }
  }
  Layer* raw = layer.get();
  SymbolicTensor out;
  try {
    out = graph_.add(std::move(layer), inputs);
  } catch (const std::invalid_argument& e) {
    fail(e.what());
  }
  layer_names_.insert(raw->name());
  size_t set = 0;
  for (const Param& p : raw->params()) {
    auto it = values.find(p.name);
    if (it == values.end()) continue;
    if (it->second.shape() != p.value->shape())
      fail(p.name + " has shape " + it->second.shape().str() + ", the layer needs " +
           p.value->shape().str());
    p.value->copy_from(it->second);
    ++set;
  }
  if (set != values.size()) fail("internal: a parameter has no place in " + raw->type());
  return out;
}

const onnx::NodeProto* Importer::sole_consumer(int output) const {
  auto it = consumers_.find(node_->output(output));
  if (it == consumers_.end() || it->second.size() != 1) return nullptr;
  for (const auto& o : model_.graph().output())
    if (o.name() == node_->output(output)) return nullptr;
  return it->second[0];
}

const Constant* Importer::known_constant(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() || it->second.runtime ? nullptr : &it->second.constant;
}

void Importer::absorb(const onnx::NodeProto& later, const std::string& later_output,
                      SymbolicTensor t) {
  absorbed_.insert(&later);
  values_[later_output] = Value{t, {}};
}

const std::map<std::string, Handler>& layer_handlers() {
  static const std::map<std::string, Handler> table = [] {
    std::map<std::string, Handler> t;
    add_layer_handlers(t);
    add_elementwise_handlers(t);
    return t;
  }();
  return table;
}

}  // namespace onnx_detail

std::vector<std::string> onnx_supported_operators() {
  std::set<std::string> names;
  for (const auto& [k, v] : onnx_detail::layer_handlers()) names.insert(k);
  for (const auto& [k, v] : onnx_detail::fold_handlers()) names.insert(k);
  return {names.begin(), names.end()};
}

std::unique_ptr<Model> import_onnx_bytes(const std::string& bytes, const std::string& source) {
  onnx::ModelProto proto;
  if (bytes.empty()) throw std::runtime_error(source + ": empty file, expected an ONNX model");
  if (!proto.ParseFromString(bytes))
    throw std::runtime_error(source + ": not a valid ONNX model (protobuf parsing failed: the "
                             "file is truncated, corrupt or of another format)");
  if (!proto.has_graph() || proto.graph().node_size() == 0)
    throw std::runtime_error(source + ": not an ONNX model (no graph, or a graph without nodes)");
  auto graph = std::make_unique<Graph>(
      GraphOptions{.name = proto.graph().name().empty() ? "onnx_model" : proto.graph().name()});
  try {
    onnx_detail::Importer importer(proto, *graph);
    importer.run();
  } catch (const std::exception& e) {
    throw std::runtime_error(source + ": " + e.what());
  }
  return graph;
}

std::unique_ptr<Model> import_onnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot open");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return import_onnx_bytes(bytes.str(), path);
}

}  // namespace convnet::io
