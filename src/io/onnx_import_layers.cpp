// ONNX operators with parameters or windows -> convnet layers: Conv, ConvTranspose, Gemm, MatMul,
// BatchNormalization, MaxPool, AveragePool, the global pools and LRN.
#include <cmath>

#include "convnet/layers.h"
#include "onnx_import.h"

namespace convnet::io::onnx_detail {
namespace {

// A 2-element spatial attribute (kernel_shape, strides, dilations) as a Size2.
Size2 pair_attr(Importer& im, const char* name, int64_t fallback) {
  const std::vector<int64_t> v = im.attr_ints(name, {fallback, fallback});
  if (v.size() != 2) im.fail(std::string(name) + " has " + std::to_string(v.size()) +
                             " values; only 2-D operators are supported");
  if (v[0] < 1 || v[1] < 1) im.fail(std::string(name) + " must be positive");
  return {v[0], v[1]};
}

// The [C, H, W] sample shape of input 0, which must be an image batch.
Shape image_input(Importer& im) {
  const Shape s = im.runtime(0).shape;
  if (s.rank() != 3)
    im.fail("input of rank " + std::to_string(s.rank() + 1) +
            "; only 2-D operators on [N, C, H, W] tensors are supported");
  return s;
}

// ONNX's auto_pad and pads ([top, left, bottom, right]) as a Padding.
Padding window_padding(Importer& im, Size2 in, Size2 kernel, Size2 stride) {
  const std::string mode = im.attr_string("auto_pad", "NOTSET");
  if (mode == "VALID") return Padding::valid;
  if (mode == "SAME_UPPER") return Padding::same;
  if (mode == "SAME_LOWER") {
    // As SAME_UPPER with the odd pixel at the top/left.
    const Pads p = resolve_padding(Padding::same, in, kernel, stride);
    return Padding(p.bottom, p.top, p.right, p.left);
  }
  if (mode != "NOTSET" && !mode.empty())
    im.fail("auto_pad '" + mode + "' is not supported (NOTSET, VALID, SAME_UPPER, SAME_LOWER)");
  const std::vector<int64_t> p = im.attr_ints("pads", {0, 0, 0, 0});
  if (p.size() != 4) im.fail("pads must have 4 values (2-D)");
  for (int64_t v : p)
    if (v < 0) im.fail("negative pads are not supported");
  if (p == std::vector<int64_t>{0, 0, 0, 0}) return Padding::valid;
  return Padding(p[0], p[2], p[1], p[3]);
}

std::map<std::string, Tensor> weight_and_bias(Importer& im, int bias_input) {
  std::map<std::string, Tensor> v{{"weight", im.constant(1).tensor()}};
  if (im.has_input(bias_input)) v["bias"] = im.constant(bias_input).tensor();
  return v;
}

void import_conv(Importer& im) {
  im.check_attributes({"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  const Shape in = image_input(im);
  const Constant& w = im.constant(1);
  if (w.dims.size() != 4) im.fail("weight must be [OC, IC/group, KH, KW]");
  const int64_t groups = im.attr_int("group", 1), oc = w.dims[0];
  const Size2 kernel{w.dims[2], w.dims[3]}, stride = pair_attr(im, "strides", 1),
              dilation = pair_attr(im, "dilations", 1);
  if (im.attribute("kernel_shape") && pair_attr(im, "kernel_shape", 1) != kernel)
    im.fail("kernel_shape disagrees with the weight's shape");
  if (groups < 1 || in[0] % groups || oc % groups || w.dims[1] * groups != in[0])
    im.fail("group " + std::to_string(groups) + " does not fit " + std::to_string(in[0]) +
            " input channels and a weight of shape " + Shape(w.dims).str());
  const Padding padding = window_padding(
      im, {in[1], in[2]}, {dilated(kernel.h, dilation.h), dilated(kernel.w, dilation.w)}, stride);
  const bool bias = im.has_input(2);
  std::unique_ptr<Layer> layer;
  if (groups > 1 && groups == in[0]) {
    layer = std::make_unique<DepthwiseConv2D>(DepthwiseConv2DOptions{
        .kernel = kernel, .stride = stride, .padding = padding, .dilation = dilation,
        .depth_multiplier = oc / groups, .use_bias = bias});
  } else {
    layer = std::make_unique<Conv2D>(Conv2DOptions{
        .filters = oc, .kernel = kernel, .stride = stride, .padding = padding,
        .dilation = dilation, .groups = groups, .use_bias = bias});
  }
  im.define(0, im.add_layer(std::move(layer), {im.runtime(0)}, weight_and_bias(im, 2)));
}

void import_conv_transpose(Importer& im) {
  im.check_attributes({"auto_pad", "dilations", "group", "kernel_shape", "output_padding", "pads",
                       "strides"});
  const Shape in = image_input(im);
  const Constant& w = im.constant(1);
  if (w.dims.size() != 4) im.fail("weight must be [IC, OC/group, KH, KW]");
  const int64_t groups = im.attr_int("group", 1);
  if (groups < 1 || w.dims[0] != in[0] || in[0] % groups)
    im.fail("weight of shape " + Shape(w.dims).str() + " does not fit " + std::to_string(in[0]) +
            " input channels in " + std::to_string(groups) + " groups");
  const Size2 kernel{w.dims[2], w.dims[3]}, stride = pair_attr(im, "strides", 1);
  const std::vector<int64_t> op = im.attr_ints("output_padding", {0, 0});
  if (op.size() != 2) im.fail("output_padding must have 2 values");
  Padding padding;
  const std::string mode = im.attr_string("auto_pad", "NOTSET");
  if (mode == "SAME_UPPER") {
    padding = Padding::same;
  } else if (mode == "NOTSET" || mode == "VALID" || mode.empty()) {
    padding = mode == "VALID" ? Padding(Padding::valid) : window_padding(im, 1, 1, 1);
  } else {
    im.fail("auto_pad '" + mode + "' is not supported (NOTSET, VALID, SAME_UPPER)");
  }
  auto layer = std::make_unique<Conv2DTranspose>(Conv2DTransposeOptions{
      .filters = w.dims[1] * groups, .kernel = kernel, .stride = stride, .padding = padding,
      .output_padding = Size2{op[0], op[1]}, .dilation = pair_attr(im, "dilations", 1),
      .groups = groups, .use_bias = im.has_input(2)});
  im.define(0, im.add_layer(std::move(layer), {im.runtime(0)}, weight_and_bias(im, 2)));
}

// The bias of a Dense layer of `units` outputs from a constant broadcast along them.
Tensor dense_bias(Importer& im, const Constant& c, int64_t units, float scale) {
  if (c.numel() != units && c.numel() != 1)
    im.fail("bias of shape " + Shape(c.dims).str() + " does not broadcast to [" +
            std::to_string(units) + "]");
  Tensor b({units});
  for (int64_t k = 0; k < units; ++k) b[k] = scale * float(c.at(c.numel() == 1 ? 0 : k));
  return b;
}

SymbolicTensor vector_input(Importer& im) {
  const SymbolicTensor x = im.runtime(0);
  if (x.shape.rank() != 1)
    im.fail("input of shape [N, " + x.shape.str() + "]; only [N, features] is supported");
  return x;
}

void import_gemm(Importer& im) {
  im.check_attributes({"alpha", "beta", "transA", "transB", "broadcast"});
  const SymbolicTensor x = vector_input(im);
  if (im.attr_int("transA", 0)) im.fail("transA = 1 is not supported");
  const Constant& b = im.constant(1);
  if (b.dims.size() != 2) im.fail("B must be a matrix");
  const bool trans_b = im.attr_int("transB", 0) != 0;
  const int64_t units = trans_b ? b.dims[0] : b.dims[1], in = trans_b ? b.dims[1] : b.dims[0];
  if (in != x.shape[0]) im.fail("B of shape " + Shape(b.dims).str() + " does not take " +
                                std::to_string(x.shape[0]) + " features");
  const float alpha = im.attr_float("alpha", 1.0f), beta = im.attr_float("beta", 1.0f);
  Tensor w({units, in});
  for (int64_t o = 0; o < units; ++o)
    for (int64_t i = 0; i < in; ++i)
      w.at(o, i) = alpha * b.f.at(size_t(trans_b ? o * in + i : i * units + o));
  std::map<std::string, Tensor> values{{"weight", w}};
  if (im.has_input(2)) values["bias"] = dense_bias(im, im.constant(2), units, beta);
  auto layer = std::make_unique<Dense>(DenseOptions{.units = units, .use_bias = im.has_input(2)});
  im.define(0, im.add_layer(std::move(layer), {x}, values));
}

// x @ B, and the bias of an Add that alone follows it (torch's nn.Linear on opsets without Gemm
// for this case, and x @ W + b written by hand).
void import_matmul(Importer& im) {
  im.check_attributes({});
  const SymbolicTensor x = vector_input(im);
  const Constant& b = im.constant(1);
  if (b.dims.size() != 2 || b.dims[0] != x.shape[0] || b.is_int)
    im.fail("B must be a float matrix of " + std::to_string(x.shape[0]) + " rows");
  const int64_t in = b.dims[0], units = b.dims[1];
  Tensor w({units, in});
  for (int64_t o = 0; o < units; ++o)
    for (int64_t i = 0; i < in; ++i) w.at(o, i) = b.f[size_t(i * units + o)];
  std::map<std::string, Tensor> values{{"weight", w}};
  const onnx::NodeProto* add = im.sole_consumer(0);
  const onnx::NodeProto* bias_node = nullptr;
  if (add && add->op_type() == "Add" && add->input_size() == 2) {
    const int other = add->input(0) == im.node().output(0) ? 1 : 0;
    // The bias must be a constant known now, one value per unit.
    const Constant* c = im.known_constant(add->input(other));
    if (c && !c->is_int && (c->numel() == units || c->numel() == 1) && c->dims.size() <= 2) {
      values["bias"] = dense_bias(im, *c, units, 1.0f);
      bias_node = add;
    }
  }
  auto layer = std::make_unique<Dense>(DenseOptions{.units = units, .use_bias = bias_node != nullptr});
  const SymbolicTensor y = im.add_layer(std::move(layer), {x}, values);
  im.define(0, y);
  if (bias_node) im.absorb(*bias_node, bias_node->output(0), y);
}

void import_batch_norm(Importer& im) {
  im.check_attributes({"epsilon", "momentum", "spatial", "training_mode", "is_test",
                       "consumed_inputs"});
  if (im.attr_int("training_mode", 0)) im.fail("training_mode = 1 is not supported");
  if (im.attr_int("spatial", 1) != 1) im.fail("spatial = 0 is not supported");
  im.only_first_output();
  const SymbolicTensor x = im.runtime(0);
  // ONNX's momentum weighs the old running value (Keras); convnet's weighs the new statistic.
  const BatchNormOptions o{.momentum = 1.0f - im.attr_float("momentum", 0.9f),
                           .eps = im.attr_float("epsilon", 1e-5f)};
  std::unique_ptr<Layer> layer;
  if (x.shape.rank() == 3) layer = std::make_unique<BatchNorm2D>(o);
  else if (x.shape.rank() <= 2) layer = std::make_unique<BatchNorm1D>(o);
  else im.fail("input of rank " + std::to_string(x.shape.rank() + 1) + " is not supported");
  const char* names[] = {"weight", "bias", "running_mean", "running_var"};
  std::map<std::string, Tensor> values;
  for (int k = 0; k < 4; ++k) values[names[k]] = im.constant(k + 1).tensor().reshape({x.shape[0]});
  im.define(0, im.add_layer(std::move(layer), {x}, values));
}

// MaxPool and AveragePool. ceil_mode becomes extra bottom/right padding, which max pooling never
// picks and average pooling without count_include_pad never counts.
void import_pool(Importer& im, bool is_max) {
  if (is_max) {
    im.check_attributes({"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads",
                         "storage_order", "strides"});
    if (pair_attr(im, "dilations", 1) != Size2(1)) im.fail("dilations other than 1 are not supported");
    im.only_first_output();
  } else {
    im.check_attributes({"auto_pad", "ceil_mode", "count_include_pad", "kernel_shape", "pads",
                         "strides"});
  }
  const Shape in = image_input(im);
  if (!im.attribute("kernel_shape")) im.fail("kernel_shape is missing");
  const Size2 kernel = pair_attr(im, "kernel_shape", 1), stride = pair_attr(im, "strides", 1);
  const bool include_pad = !is_max && im.attr_int("count_include_pad", 0) != 0;
  Padding padding = window_padding(im, {in[1], in[2]}, kernel, stride);
  if (im.attr_int("ceil_mode", 0) && padding.mode != PaddingMode::same) {
    const Pads p = resolve_padding(padding, {in[1], in[2]}, kernel, stride);
    // PyTorch's rule: the last window must start inside the input or its top/left padding.
    auto extra = [](int64_t size, int64_t k, int64_t s, int64_t before, int64_t after) {
      const int64_t span = size + before + after - k;
      int64_t out = (span + s - 1) / s + 1;
      if ((out - 1) * s >= size + before) --out;
      return std::max<int64_t>(0, (out - 1) * s + k - (size + before + after));
    };
    const int64_t eh = extra(in[1], kernel.h, stride.h, p.top, p.bottom),
                  ew = extra(in[2], kernel.w, stride.w, p.left, p.right);
    if ((eh || ew) && include_pad)
      im.fail("ceil_mode = 1 with count_include_pad = 1 is not supported");
    if (eh || ew) padding = Padding(p.top, p.bottom + eh, p.left, p.right + ew);
  }
  const Pool2DOptions o{.pool = kernel, .stride = stride, .padding = padding,
                        .count_include_pad = include_pad};
  std::unique_ptr<Layer> layer = is_max ? std::unique_ptr<Layer>(std::make_unique<MaxPool2D>(o))
                                        : std::make_unique<AvgPool2D>(o);
  im.define(0, im.add_layer(std::move(layer), {im.runtime(0)}));
}

void import_global_pool(Importer& im, bool is_max) {
  im.check_attributes({});
  image_input(im);
  std::unique_ptr<Layer> layer;
  if (is_max) layer = std::make_unique<GlobalMaxPool2D>(GlobalPool2DOptions{.keepdims = true});
  else layer = std::make_unique<GlobalAvgPool2D>(GlobalPool2DOptions{.keepdims = true});
  im.define(0, im.add_layer(std::move(layer), {im.runtime(0)}));
}

void import_lrn(Importer& im) {
  im.check_attributes({"alpha", "beta", "bias", "size"});
  image_input(im);
  const int64_t size = im.attr_int("size", 0);
  // ONNX centres an even window one channel later than PyTorch (and convnet) do.
  if (size < 1 || size % 2 == 0) im.fail("size " + std::to_string(size) + ": only odd sizes are supported");
  auto layer = std::make_unique<LocalResponseNorm>(LocalResponseNormOptions{
      .size = size, .alpha = im.attr_float("alpha", 1e-4f), .beta = im.attr_float("beta", 0.75f),
      .k = im.attr_float("bias", 1.0f)});
  im.define(0, im.add_layer(std::move(layer), {im.runtime(0)}));
}

}  // namespace

void add_layer_handlers(std::map<std::string, Handler>& table) {
  table["Conv"] = import_conv;
  table["ConvTranspose"] = import_conv_transpose;
  table["Gemm"] = import_gemm;
  table["MatMul"] = import_matmul;
  table["BatchNormalization"] = import_batch_norm;
  table["MaxPool"] = [](Importer& im) { import_pool(im, true); };
  table["AveragePool"] = [](Importer& im) { import_pool(im, false); };
  table["GlobalMaxPool"] = [](Importer& im) { import_global_pool(im, true); };
  table["GlobalAveragePool"] = [](Importer& im) { import_global_pool(im, false); };
  table["LRN"] = import_lrn;
}

}  // namespace convnet::io::onnx_detail
