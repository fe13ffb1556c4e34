// The ONNX importer's internals: the state of one import and the operator tables. Each ONNX node is
// handled by one function that reads its inputs (runtime tensors of the Graph being built, or
// constants) and defines its outputs.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "convnet/graph.h"
#include "onnx_proto.h"

namespace convnet::io::onnx_detail {

// An ONNX value during import: a runtime tensor of the graph (its shape excludes the batch) or a
// constant known now.
struct Value {
  std::optional<SymbolicTensor> runtime;
  Constant constant;
};

class Importer {
 public:
  Importer(const onnx::ModelProto& model, Graph& graph);
  void run();

  // --- for the operator handlers ---
  const onnx::NodeProto& node() const { return *node_; }
  int opset() const { return opset_; }
  // The batch size Shape reports: the declared one, or 1 when it is dynamic.
  int64_t batch() const { return batch_; }
  // "node 'name' (Op)" for messages.
  std::string where() const;
  [[noreturn]] void fail(const std::string& what) const;

  bool has_input(int k) const;
  bool is_constant(int k) const;
  SymbolicTensor runtime(int k) const;  // fails unless input k is a runtime tensor
  const Constant& constant(int k) const;  // fails unless input k is a constant
  // Fails when the node has an attribute outside `known`.
  void check_attributes(std::initializer_list<const char*> known) const;
  const onnx::AttributeProto* attribute(const char* name) const;
  int64_t attr_int(const char* name, int64_t fallback) const;
  float attr_float(const char* name, float fallback) const;
  std::string attr_string(const char* name, const std::string& fallback) const;
  std::vector<int64_t> attr_ints(const char* name, std::vector<int64_t> fallback) const;
  std::vector<float> attr_floats(const char* name) const;
  // Fails when an output other than the first is used by anything.
  void only_first_output() const;

  void define(int output, SymbolicTensor t);
  void define(int output, Constant c);
  // Adds a layer on `inputs`, named after the node's weight initializer ("features.0.weight" ->
  // "features.0") when that is free, and sets its parameters: `values` by Param name, each of
  // exactly the parameter's shape. Returns its output.
  SymbolicTensor add_layer(std::unique_ptr<Layer> layer, const std::vector<SymbolicTensor>& inputs,
                           const std::map<std::string, Tensor>& values = {});
  // The node that alone consumes output `output` of the current node, if exactly one does.
  const onnx::NodeProto* sole_consumer(int output) const;
  // The constant of that name if one is defined now, else null.
  const Constant* known_constant(const std::string& name) const;
  // Marks a later node as handled by the current one (a MatMul's bias Add).
  void absorb(const onnx::NodeProto& later, const std::string& later_output, SymbolicTensor t);

 private:
  const Value& value(int k) const;

  const onnx::ModelProto& model_;
  Graph& graph_;
  int opset_ = 0;
  int64_t batch_ = 1;  // the declared batch size, for Shape; 1 when dynamic
  std::map<std::string, Value> values_;
  std::map<std::string, std::vector<const onnx::NodeProto*>> consumers_;
  std::set<const onnx::NodeProto*> absorbed_;
  std::set<std::string> layer_names_;
  const onnx::NodeProto* node_ = nullptr;
};

using Handler = std::function<void(Importer&)>;
// Operators that become layers, and those folded on constants (onnx_fold.cpp).
const std::map<std::string, Handler>& layer_handlers();
const std::map<std::string, Handler>& fold_handlers();
// Parts of layer_handlers(): onnx_import_layers.cpp and onnx_import_elementwise.cpp.
void add_layer_handlers(std::map<std::string, Handler>& table);
void add_elementwise_handlers(std::map<std::string, Handler>& table);

}  // namespace convnet::io::onnx_detail
