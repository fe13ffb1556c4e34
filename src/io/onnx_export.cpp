// convnet -> ONNX: one or a few nodes per layer, parameters as initializers under their convnet
// names, padding always written out explicitly (ONNX consumers differ on auto_pad).
#include <stdexcept>

#include "convnet/graph.h"
#include "convnet/io/atomic_file.h"
#include "convnet/io/onnx.h"
#include "convnet/layers.h"
#include "onnx_proto.h"

namespace convnet::io {
namespace {

using onnx_detail::write_ints;
using onnx_detail::write_tensor;

class Exporter {
 public:
  Exporter(onnx::GraphProto& graph, int opset) : g_(graph), opset_(opset) {}

  // Writes the nodes of `layer`, reading `inputs` and producing the value named `out`.
  void layer(Layer& layer, const std::vector<std::string>& inputs, const std::string& out);

 private:
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::string& out, const std::string& name) {
    onnx::NodeProto& n = *g_.add_node();
    n.set_op_type(op);
    n.set_name(name);
    for (const auto& in : inputs) n.add_input(in);
    n.add_output(out);
    return n;
  }
  static void attr(onnx::NodeProto& n, const char* name, int64_t v) {
    auto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INT);
    a.set_i(v);
  }
  static void attr(onnx::NodeProto& n, const char* name, float v) {
    auto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::FLOAT);
    a.set_f(v);
  }
  static void attr(onnx::NodeProto& n, const char* name, const std::string& v) {
    auto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::STRING);
    a.set_s(v);
  }
  static void attr(onnx::NodeProto& n, const char* name, const std::vector<int64_t>& v) {
    auto& a = *n.add_attribute();
    a.set_name(name);
    a.set_type(onnx::AttributeProto::INTS);
    for (int64_t x : v) a.add_ints(x);
  }
  std::string tensor(const std::string& name, const Tensor& t, std::vector<int64_t> dims = {}) {
    write_tensor(*g_.add_initializer(), name, dims.empty() ? t.shape().dims() : dims, t.data());
    return name;
  }
  std::string ints(const std::string& name, const std::vector<int64_t>& v) {
    write_ints(*g_.add_initializer(), name, {int64_t(v.size())}, v);
    return name;
  }
  std::string scalar(const std::string& name, float v) {
    write_tensor(*g_.add_initializer(), name, {}, &v);
    return name;
  }
  [[noreturn]] void refuse(const Layer& l, const std::string& why) const {
    throw std::invalid_argument(l.name() + " (" + l.type() + "): " + why);
  }
  static std::vector<int64_t> onnx_pads(const Pads& p) { return {p.top, p.left, p.bottom, p.right}; }

  // A fused activation after the layer's main node: the main node writes `out`/pre.
  std::string pre(Activation a, const std::string& out) {
    return a == Activation::linear ? out : out + "/pre";
  }
  void activation(const Layer& l, Activation a, float alpha, const std::string& in,
                  const std::string& out);

  template <typename ConvLayer>
  void conv(ConvLayer& l, int64_t group, const std::string& in, const std::string& out);
  void conv_transpose(Conv2DTranspose& l, const std::string& in, const std::string& out);
  void pool(Pool2D& l, bool is_max, const std::string& in, const std::string& out);
  void upsample(UpSampling2D& l, const std::string& in, const std::string& out);

  onnx::GraphProto& g_;
  int opset_;
};

void Exporter::activation(const Layer& l, Activation a, float alpha, const std::string& in,
                          const std::string& out) {
  const std::string name = l.name() + (in == out + "/pre" ? "/activation" : "");
  switch (a) {
    case Activation::linear: return;
    case Activation::relu: node("Relu", {in}, out, name); return;
    case Activation::sigmoid: node("Sigmoid", {in}, out, name); return;
    case Activation::tanh: node("Tanh", {in}, out, name); return;
    case Activation::leaky_relu: attr(node("LeakyRelu", {in}, out, name), "alpha", alpha); return;
    case Activation::elu: attr(node("Elu", {in}, out, name), "alpha", alpha); return;
    case Activation::relu6:
      if (opset_ < 11) {
        auto& n = node("Clip", {in}, out, name);
        attr(n, "min", 0.0f);
        attr(n, "max", 6.0f);
      } else {
        node("Clip", {in, scalar(name + ".min", 0.0f), scalar(name + ".max", 6.0f)}, out, name);
      }
      return;
    case Activation::softmax:
      // Before opset 13 Softmax flattens everything from the axis on.
      if (opset_ < 13 && l.built_output_shape().numel() != l.built_output_shape()[0])
        refuse(l, "a softmax over the channels of an image needs opset 13 or later");
      attr(node("Softmax", {in}, out, name), "axis", int64_t(1));
      return;
  }
}

// Conv2D and DepthwiseConv2D are both ONNX Conv; a depthwise one has a group per input channel.
template <typename ConvLayer>
void Exporter::conv(ConvLayer& l, int64_t group, const std::string& in, const std::string& out) {
  const auto& o = l.options();
  const Shape s = l.input_shape();
  const Size2 keff{dilated(o.kernel.h, o.dilation.h), dilated(o.kernel.w, o.dilation.w)};
  std::vector<std::string> inputs{in, tensor(l.name() + ".weight", l.weight())};
  if (o.use_bias) inputs.push_back(tensor(l.name() + ".bias", l.bias()));
  auto& n = node("Conv", inputs, pre(o.activation, out), l.name());
  attr(n, "kernel_shape", std::vector<int64_t>{o.kernel.h, o.kernel.w});
  attr(n, "strides", std::vector<int64_t>{o.stride.h, o.stride.w});
  attr(n, "dilations", std::vector<int64_t>{o.dilation.h, o.dilation.w});
  attr(n, "group", group);
  attr(n, "pads", onnx_pads(resolve_padding(o.padding, {s[1], s[2]}, keff, o.stride)));
  activation(l, o.activation, o.activation_alpha, pre(o.activation, out), out);
}

void Exporter::conv_transpose(Conv2DTranspose& l, const std::string& in, const std::string& out) {
  const auto& o = l.options();
  const Shape s = l.input_shape(), y = l.built_output_shape();
  const Size2 keff{dilated(o.kernel.h, o.dilation.h), dilated(o.kernel.w, o.dilation.w)};
  // 'same' crops what a Conv2D with our output as its input would pad.
  Pads p;
  if (o.padding.mode == PaddingMode::same) p = resolve_padding(o.padding, {y[1], y[2]}, keff, o.stride);
  if (o.padding.mode == PaddingMode::explicit_)
    p = {o.padding.top, o.padding.bottom, o.padding.left, o.padding.right};
  const int64_t oph = y[1] - ((s[1] - 1) * o.stride.h + keff.h - p.top - p.bottom),
                opw = y[2] - ((s[2] - 1) * o.stride.w + keff.w - p.left - p.right);
  std::vector<std::string> inputs{in, tensor(l.name() + ".weight", l.weight())};
  if (o.use_bias) inputs.push_back(tensor(l.name() + ".bias", l.bias()));
  auto& n = node("ConvTranspose", inputs, pre(o.activation, out), l.name());
  attr(n, "kernel_shape", std::vector<int64_t>{o.kernel.h, o.kernel.w});
  attr(n, "strides", std::vector<int64_t>{o.stride.h, o.stride.w});
  attr(n, "dilations", std::vector<int64_t>{o.dilation.h, o.dilation.w});
  attr(n, "group", o.groups);
  attr(n, "pads", onnx_pads(p));
  if (oph || opw) attr(n, "output_padding", std::vector<int64_t>{oph, opw});
  activation(l, o.activation, o.activation_alpha, pre(o.activation, out), out);
}

void Exporter::pool(Pool2D& l, bool is_max, const std::string& in, const std::string& out) {
  const auto& o = l.options();
  const Shape s = l.input_shape();
  const Size2 stride = o.stride == Size2(0) ? o.pool : o.stride;
  auto& n = node(is_max ? "MaxPool" : "AveragePool", {in}, out, l.name());
  attr(n, "kernel_shape", std::vector<int64_t>{o.pool.h, o.pool.w});
  attr(n, "strides", std::vector<int64_t>{stride.h, stride.w});
  attr(n, "pads", onnx_pads(resolve_padding(o.padding, {s[1], s[2]}, o.pool, stride)));
  if (!is_max) attr(n, "count_include_pad", int64_t(o.count_include_pad));
}

void Exporter::upsample(UpSampling2D& l, const std::string& in, const std::string& out) {
  const auto& o = l.options();
  const bool nearest = o.interpolation == Interpolation::nearest;
  if (!nearest && opset_ < 11) refuse(l, "bilinear up-sampling needs opset 11 or later");
  const Tensor factors = Tensor::from({4}, {1.0f, 1.0f, float(o.size.h), float(o.size.w)});
  const std::string scales = tensor(l.name() + ".scales", factors);
  if (opset_ < 10) {
    attr(node("Upsample", {in, scales}, out, l.name()), "mode", std::string("nearest"));
    return;
  }
  std::vector<std::string> inputs{in, scales};
  if (opset_ >= 11) {
    // Opsets 11 and 12 need a region of interest even where it is unused.
    const std::string roi = opset_ >= 13 ? "" : tensor(l.name() + ".roi", Tensor({0}));
    inputs = {in, roi, scales};
  }
  auto& n = node("Resize", inputs, out, l.name());
  attr(n, "mode", std::string(nearest ? "nearest" : "linear"));
  if (opset_ >= 11) {
    attr(n, "coordinate_transformation_mode", std::string(nearest ? "asymmetric" : "half_pixel"));
    if (nearest) attr(n, "nearest_mode", std::string("floor"));
  }
}

void Exporter::layer(Layer& l, const std::vector<std::string>& in, const std::string& out) {
  const std::string& name = l.name();
  if (auto* c = dynamic_cast<Conv2D*>(&l)) return conv(*c, c->options().groups, in[0], out);
  if (auto* c = dynamic_cast<DepthwiseConv2D*>(&l))
    return conv(*c, c->input_shape()[0], in[0], out);
  if (auto* c = dynamic_cast<Conv2DTranspose*>(&l)) return conv_transpose(*c, in[0], out);
  if (auto* d = dynamic_cast<Dense*>(&l)) {
    const auto& o = d->options();
    std::vector<std::string> inputs{in[0], tensor(name + ".weight", d->weight())};
    if (o.use_bias) inputs.push_back(tensor(name + ".bias", d->bias()));
    attr(node("Gemm", inputs, pre(o.activation, out), name), "transB", int64_t(1));
    return activation(l, o.activation, o.activation_alpha, pre(o.activation, out), out);
  }
  if (auto* b = dynamic_cast<BatchNorm*>(&l)) {
    if (!b->options().affine) refuse(l, "BatchNormalization needs a scale and bias (affine)");
    auto& n = node("BatchNormalization",
                   {in[0], tensor(name + ".weight", b->weight()), tensor(name + ".bias", b->bias()),
                    tensor(name + ".running_mean", b->running_mean()),
                    tensor(name + ".running_var", b->running_var())},
                   out, name);
    attr(n, "epsilon", b->options().eps);
    attr(n, "momentum", 1.0f - b->options().momentum);  // ONNX weighs the old running value
    return;
  }
  if (auto* a = dynamic_cast<ActivationLayer*>(&l)) return activation(l, a->kind(), a->alpha(), in[0], out);
  if (auto* p = dynamic_cast<MaxPool2D*>(&l)) return pool(*p, true, in[0], out);
  if (auto* p = dynamic_cast<AvgPool2D*>(&l)) return pool(*p, false, in[0], out);
  if (dynamic_cast<GlobalPool2D*>(&l)) {
    const bool keep = l.config().get_bool("keepdims", false);
    const std::string op = l.type() == "GlobalMaxPool2D" ? "GlobalMaxPool" : "GlobalAveragePool";
    node(op, {in[0]}, keep ? out : out + "/pool", name);
    if (!keep) attr(node("Flatten", {out + "/pool"}, out, name + "/flatten"), "axis", int64_t(1));
    return;
  }
  if (auto* r = dynamic_cast<LocalResponseNorm*>(&l)) {
    const auto& o = r->options();
    if (o.size % 2 == 0) refuse(l, "ONNX centres an even LRN window differently; use an odd size");
    auto& n = node("LRN", {in[0]}, out, name);
    attr(n, "size", o.size);
    attr(n, "alpha", o.alpha);
    attr(n, "beta", o.beta);
    attr(n, "bias", o.k);
    return;
  }
  if (auto* d = dynamic_cast<Dropout*>(&l)) {
    if (opset_ < 12) attr(node("Dropout", {in[0]}, out, name), "ratio", d->options().rate);
    else node("Dropout", {in[0], scalar(name + ".ratio", d->options().rate)}, out, name);
    return;
  }
  if (dynamic_cast<Flatten*>(&l)) {
    attr(node("Flatten", {in[0]}, out, name), "axis", int64_t(1));
    return;
  }
  if (dynamic_cast<Reshape*>(&l)) {
    std::vector<int64_t> shape{-1};
    for (int64_t d : l.built_output_shape()) shape.push_back(d);
    node("Reshape", {in[0], ints(name + ".shape", shape)}, out, name);
    return;
  }
  if (auto* z = dynamic_cast<ZeroPadding2D*>(&l)) {
    const Pads& p = z->pads();
    const std::vector<int64_t> pads{0, 0, p.top, p.left, 0, 0, p.bottom, p.right};
    if (opset_ < 11) attr(node("Pad", {in[0]}, out, name), "pads", pads);
    else node("Pad", {in[0], ints(name + ".pads", pads)}, out, name);
    return;
  }
  if (auto* u = dynamic_cast<UpSampling2D*>(&l)) return upsample(*u, in[0], out);
  if (auto* p = dynamic_cast<PReLU*>(&l)) {
    const Shape s = l.input_shape();
    std::vector<int64_t> dims{p->weight().numel()};
    if (!p->options().shared) dims.resize(s.rank(), 1);  // [C, 1, 1]: broadcast over the rest
    node("PRelu", {in[0], tensor(name + ".weight", p->weight(), dims)}, out, name);
    return;
  }
  if (dynamic_cast<Add*>(&l) || dynamic_cast<Multiply*>(&l)) {
    const std::string op = l.type() == "Add" ? "Add" : "Mul";
    std::string acc = in[0];
    for (size_t k = 1; k < in.size(); ++k) {
      const std::string to = k + 1 == in.size() ? out : out + "/" + std::to_string(k);
      node(op, {acc, in[k]}, to, k + 1 == in.size() ? name : to);
      acc = to;
    }
    if (in.size() == 1) node("Identity", {in[0]}, out, name);
    return;
  }
  if (dynamic_cast<Concatenate*>(&l)) {
    int64_t axis = l.config().get_int("axis", 0);
    if (axis < 0) axis += int64_t(l.built_output_shape().rank());
    attr(node("Concat", in, out, name), "axis", axis + 1);
    return;
  }
  if (auto* m = dynamic_cast<Maxout*>(&l)) {
    // [N, C, ...] -> [N, C / k, k, ...] -> max over the pieces' axis.
    const Shape s = l.input_shape();
    std::vector<int64_t> shape{-1, s[0] / m->options().pieces, m->options().pieces};
    shape.insert(shape.end(), s.begin() + 1, s.end());
    node("Reshape", {in[0], ints(name + ".shape", shape)}, out + "/pieces", name + "/reshape");
    auto& n = node("ReduceMax", {out + "/pieces"}, out, name);
    attr(n, "axes", std::vector<int64_t>{2});
    attr(n, "keepdims", int64_t(0));
    return;
  }
  refuse(l, "no ONNX equivalent is implemented for this layer");
}

void set_value_info(onnx::ValueInfoProto& v, const std::string& name, const Shape& sample) {
  v.set_name(name);
  auto& tt = *v.mutable_type()->mutable_tensor_type();
  tt.set_elem_type(onnx::TensorProto::FLOAT);
  tt.mutable_shape()->add_dim()->set_dim_param("N");
  for (int64_t d : sample) tt.mutable_shape()->add_dim()->set_dim_value(d);
}

}  // namespace

std::string export_onnx_bytes(Model& model, const OnnxExportOptions& options) {
  if (options.opset < 9 || options.opset > 17)
    throw std::invalid_argument("ONNX export: opset " + std::to_string(options.opset) +
                                " is not supported (9 to 17)");
  onnx::ModelProto proto;
  // IR version 7 covers opsets up to 13, 8 those up to 17 (onnx/IR.md).
  proto.set_ir_version(options.opset <= 13 ? 7 : 8);
  proto.set_producer_name("convnet");
  proto.set_producer_version("0.1.0");
  auto& opset = *proto.add_opset_import();
  opset.set_domain("");
  opset.set_version(options.opset);
  onnx::GraphProto& g = *proto.mutable_graph();
  g.set_name(model.name());

  const std::vector<Layer*> layers = model.layers();
  std::vector<std::vector<std::string>> inbound = model.inbound_names();
  std::vector<std::string> inputs{"input"}, outputs;
  std::vector<Shape> input_shapes{model.input_shape()};
  if (auto* graph = dynamic_cast<Graph*>(&model)) {
    inputs = graph->input_names();
    input_shapes = graph->input_shapes();
    outputs = graph->output_names();
  } else {
    inbound.clear();
    std::string previous = "input";
    for (Layer* l : layers) {
      inbound.push_back({previous});
      previous = l->name();
    }
    outputs = {previous};
  }
  for (size_t k = 0; k < inputs.size(); ++k) set_value_info(*g.add_input(), inputs[k], input_shapes[k]);
  Exporter exporter(g, options.opset);
  for (size_t k = 0; k < layers.size(); ++k) exporter.layer(*layers[k], inbound[k], layers[k]->name());
  for (const std::string& name : outputs) {
    Shape shape;
    for (Layer* l : layers)
      if (l->name() == name) shape = l->built_output_shape();
    set_value_info(*g.add_output(), name, shape);
  }
  std::string bytes;
  if (!proto.SerializeToString(&bytes))
    throw std::runtime_error("ONNX export: the model is too large for one protobuf (2 GB)");
  return bytes;
}

void export_onnx(Model& model, const std::string& path, const OnnxExportOptions& options) {
  const std::string bytes = export_onnx_bytes(model, options);
  AtomicFile file(path);
  file.write(bytes.data(), bytes.size());
  file.commit();
}

}  // namespace convnet::io
