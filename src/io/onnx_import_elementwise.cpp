// ONNX operators without parameters (apart from PRelu's slopes) -> convnet layers: activations,
// Softmax, Dropout, the shape operators on runtime tensors (Flatten, Reshape, Identity), the
// merges (Add, Mul, Concat), Pad and Upsample/Resize.
#include <cmath>
#include <limits>

#include "convnet/layers.h"
#include "onnx_import.h"

namespace convnet::io::onnx_detail {
namespace {

void add_simple(Importer& im, std::unique_ptr<Layer> layer) {
  im.define(0, im.add_layer(std::move(layer), {im.runtime(0)}));
}

template <typename L>
Handler activation() {
  return [](Importer& im) {
    im.check_attributes({});
    add_simple(im, std::make_unique<L>());
  };
}

void import_leaky_relu(Importer& im) {
  im.check_attributes({"alpha"});
  add_simple(im, std::make_unique<LeakyReLU>(LeakyReLUOptions{.alpha = im.attr_float("alpha", 0.01f)}));
}

void import_elu(Importer& im) {
  im.check_attributes({"alpha"});
  add_simple(im, std::make_unique<ELU>(ELUOptions{.alpha = im.attr_float("alpha", 1.0f)}));
}

// Clip(0, 6) is ReLU6 (torch's nn.ReLU6) and Clip(0) is ReLU; other bounds have no layer.
void import_clip(Importer& im) {
  im.check_attributes({"min", "max"});
  const float inf = std::numeric_limits<float>::infinity();
  float lo = -inf, hi = inf;
  if (im.opset() < 11) {
    lo = im.attr_float("min", -inf);
    hi = im.attr_float("max", inf);
  } else {
    auto bound = [&](int k, float fallback) {
      if (!im.has_input(k)) return fallback;
      const Constant& c = im.constant(k);
      if (c.numel() != 1) im.fail("min and max must be single values");
      return float(c.at(0));
    };
    lo = bound(1, -inf);
    hi = bound(2, inf);
  }
  if (lo == 0.0f && hi == 6.0f) return add_simple(im, std::make_unique<ReLU6>());
  if (lo == 0.0f && hi == inf) return add_simple(im, std::make_unique<ReLU>());
  im.fail("Clip(min = " + std::to_string(lo) + ", max = " + std::to_string(hi) +
          ") is not supported (only Clip(0, 6) as ReLU6 and Clip(0) as ReLU)");
}

void import_softmax(Importer& im) {
  im.check_attributes({"axis"});
  const Shape s = im.runtime(0).shape;
  const auto rank = int64_t(s.rank() + 1);
  int64_t axis = im.attr_int("axis", im.opset() < 13 ? 1 : -1);
  if (axis < 0) axis += rank;
  // Before opset 13 Softmax normalizes over all axes from `axis` on; that is the channel softmax
  // when nothing follows the channels but ones.
  const bool flat_tail = im.opset() >= 13 || s.numel() == s[0];
  if (axis != 1 || !flat_tail)
    im.fail("softmax over axis " + std::to_string(axis) + " of a rank-" + std::to_string(rank) +
            " tensor is not supported (only over the channels, axis 1)");
  add_simple(im, std::make_unique<Softmax>());
}

void import_prelu(Importer& im) {
  im.check_attributes({});
  const Shape s = im.runtime(0).shape;
  const Constant& slope = im.constant(1);
  const bool shared = slope.numel() == 1;
  if (!shared && slope.numel() != s[0])
    im.fail("slope of shape " + Shape(slope.dims).str() + ": only one slope, or one per channel, "
            "is supported");
  auto layer = std::make_unique<PReLU>(PReLUOptions{.shared = shared});
  im.define(0, im.add_layer(std::move(layer), {im.runtime(0)},
                            {{"weight", slope.tensor().reshape({slope.numel()})}}));
}

void import_dropout(Importer& im) {
  im.check_attributes({"ratio", "seed", "is_test"});
  im.only_first_output();
  float rate = im.attr_float("ratio", 0.5f);
  if (im.opset() >= 12) rate = im.has_input(1) ? float(im.constant(1).at(0)) : 0.5f;
  if (im.has_input(2) && im.constant(2).at(0) != 0) im.fail("training_mode = true is not supported");
  add_simple(im, std::make_unique<Dropout>(DropoutOptions{.rate = rate}));
}

void import_identity(Importer& im) {
  im.check_attributes({});
  im.define(0, im.runtime(0));
}

void import_flatten(Importer& im) {
  im.check_attributes({"axis"});
  const SymbolicTensor x = im.runtime(0);
  const int64_t axis = im.attr_int("axis", 1);
  if (axis != 1 && axis != 1 - int64_t(x.shape.rank() + 1))
    im.fail("axis " + std::to_string(axis) + " is not supported (only 1: one vector per sample)");
  if (x.shape.rank() == 1) return im.define(0, x);
  add_simple(im, std::make_unique<Flatten>());
}

// The batch axis must stay first and whole: shape[0] is 0, -1 or the batch size.
void import_reshape(Importer& im) {
  im.check_attributes({"allowzero"});
  const SymbolicTensor x = im.runtime(0);
  std::vector<int64_t> t = im.constant(1).ints("shape");
  const Shape full = x.shape.with_batch(im.batch());
  if (t.empty()) im.fail("an empty target shape is not supported");
  const bool batch_kept = t[0] == 0 || t[0] == im.batch() || t[0] == -1;
  int64_t known = 1, infer = -1;
  for (size_t k = 1; k < t.size(); ++k) {
    if (t[k] == 0 && !im.attr_int("allowzero", 0)) {
      if (k >= full.rank()) im.fail("shape copies a dimension the input lacks");
      t[k] = full[k];
    }
    if (t[k] == -1) {
      if (infer >= 0 || t[0] == -1) im.fail("shape has more than one -1");
      infer = int64_t(k);
    } else if (t[k] < 1) {
      im.fail("shape value " + std::to_string(t[k]) + " is not supported");
    } else {
      known *= t[k];
    }
  }
  if (infer >= 0) t[size_t(infer)] = x.shape.numel() / known;
  std::vector<int64_t> sample(t.begin() + 1, t.end());
  if (!batch_kept || Shape(sample).numel() != x.shape.numel())
    im.fail("reshape of [N, " + x.shape.str() + "] that does not keep the batch axis first and "
            "whole is not supported");
  if (Shape(sample) == x.shape) return im.define(0, x);
  if (sample.size() == 1) return add_simple(im, std::make_unique<Flatten>());
  add_simple(im, std::make_unique<Reshape>(ReshapeOptions{.target_shape = sample}));
}

std::vector<SymbolicTensor> runtime_inputs(Importer& im) {
  std::vector<SymbolicTensor> xs;
  for (int k = 0; k < im.node().input_size(); ++k) xs.push_back(im.runtime(k));
  return xs;
}

template <typename L>
Handler merge() {
  return [](Importer& im) {
    im.check_attributes({});
    const std::vector<SymbolicTensor> xs = runtime_inputs(im);
    for (const auto& x : xs)
      if (x.shape != xs[0].shape)
        im.fail("inputs of shapes [N, " + xs[0].shape.str() + "] and [N, " + x.shape.str() +
                "]: broadcasting is not supported");
    im.define(0, im.add_layer(std::make_unique<L>(), xs));
  };
}

void import_concat(Importer& im) {
  im.check_attributes({"axis"});
  const std::vector<SymbolicTensor> xs = runtime_inputs(im);
  const auto rank = int64_t(xs[0].shape.rank() + 1);
  int64_t axis = im.attr_int("axis", 1);
  if (axis < 0) axis += rank;
  if (axis < 1 || axis >= rank) im.fail("axis " + std::to_string(axis) + " is not supported (not the batch)");
  im.define(0, im.add_layer(std::make_unique<Concatenate>(ConcatenateOptions{.axis = axis - 1}), xs));
}

void import_pad(Importer& im) {
  im.check_attributes({"mode", "pads", "value"});
  const Shape s = im.runtime(0).shape;
  const std::string mode = im.attr_string("mode", "constant");
  if (mode != "constant") im.fail("mode '" + mode + "' is not supported (only constant)");
  std::vector<int64_t> p;
  double value = im.attr_float("value", 0.0f);
  if (im.opset() < 11) {
    p = im.attr_ints("pads", {});
  } else {
    p = im.constant(1).ints("pads");
    if (im.has_input(2)) value = im.constant(2).at(0);
    if (im.has_input(3)) im.fail("the axes input is not supported");
  }
  if (s.rank() != 3 || p.size() != 8) im.fail("only pads of 4-D [N, C, H, W] tensors are supported");
  if (value != 0.0) im.fail("only zero padding is supported");
  if (p[0] || p[1] || p[4] || p[5]) im.fail("only padding of the height and width is supported");
  for (int64_t v : p)
    if (v < 0) im.fail("negative pads (cropping) are not supported");
  add_simple(im, std::make_unique<ZeroPadding2D>(ZeroPadding2DOptions{
                     .padding = Padding(p[2], p[6], p[3], p[7])}));
}

// Upsample (opsets 7 to 9) and Resize (10 on): whole-number factors on height and width,
// nearest (as floor(o / s)) or bilinear with half-pixel centres.
void import_resize(Importer& im) {
  im.check_attributes({"mode", "scales", "coordinate_transformation_mode", "nearest_mode",
                       "cubic_coeff_a", "exclude_outside", "extrapolation_value"});
  const Shape s = im.runtime(0).shape;
  if (s.rank() != 3) im.fail("only 4-D [N, C, H, W] inputs are supported");
  const Shape full = s.with_batch(1);
  std::vector<double> scales;
  const bool resize = im.node().op_type() == "Resize";
  if (!resize && im.opset() < 9) {
    for (float f : im.attr_floats("scales")) scales.push_back(f);
  } else {
    const int scales_input = resize && im.opset() >= 11 ? 2 : 1;
    if (im.has_input(scales_input) && im.constant(scales_input).numel() > 0) {
      const Constant& c = im.constant(scales_input);
      for (int64_t k = 0; k < c.numel(); ++k) scales.push_back(c.at(k));
    } else if (resize && im.has_input(3)) {
      const std::vector<int64_t> sizes = im.constant(3).ints("sizes");
      for (size_t k = 0; k < sizes.size() && k < full.rank(); ++k)
        scales.push_back(double(sizes[k]) / double(full[k]));
    }
  }
  if (scales.size() != 4 || scales[0] != 1 || scales[1] != 1)
    im.fail("only scaling of the height and width is supported");
  for (double f : {scales[2], scales[3]})
    if (f < 1 || f != std::floor(f)) im.fail("scale " + std::to_string(f) + ": only whole factors >= 1 are supported");
  std::string mode = im.attr_string("mode", "nearest");
  const std::string ctm = im.attr_string("coordinate_transformation_mode", "half_pixel"),
                    nearest = im.attr_string("nearest_mode", "round_prefer_floor");
  const bool modern = resize && im.opset() >= 11;
  const bool half_pixel = ctm == "half_pixel" || ctm == "pytorch_half_pixel";
  Interpolation interpolation;
  if (mode == "nearest") {
    // With whole factors, floor(o / s) is asymmetric+floor, and half-pixel with rounding.
    const bool ok = !modern || (ctm == "asymmetric" && nearest == "floor") ||
                    (half_pixel && (nearest == "round_prefer_floor" || nearest == "round_prefer_ceil"));
    if (!ok) im.fail("nearest with coordinate_transformation_mode '" + ctm + "' and nearest_mode '" +
                     nearest + "' is not supported");
    interpolation = Interpolation::nearest;
  } else if (mode == "linear" || mode == "bilinear") {
    if (!modern || !half_pixel)
      im.fail("linear mode is supported with half-pixel centres only (Resize, opset >= 11, "
              "coordinate_transformation_mode half_pixel or pytorch_half_pixel)");
    interpolation = Interpolation::bilinear;
  } else {
    im.fail("mode '" + mode + "' is not supported (nearest, linear)");
  }
  add_simple(im, std::make_unique<UpSampling2D>(UpSampling2DOptions{
                     .size = Size2{int64_t(scales[2]), int64_t(scales[3])},
                     .interpolation = interpolation}));
}

}  // namespace

void add_elementwise_handlers(std::map<std::string, Handler>& table) {
  table["Relu"] = activation<ReLU>();
  table["Sigmoid"] = activation<Sigmoid>();
  table["Tanh"] = activation<Tanh>();
  table["LeakyRelu"] = import_leaky_relu;
  table["Elu"] = import_elu;
  table["Clip"] = import_clip;
  table["Softmax"] = import_softmax;
  table["PRelu"] = import_prelu;
  table["Dropout"] = import_dropout;
  table["Identity"] = import_identity;
  table["Flatten"] = import_flatten;
  table["Reshape"] = import_reshape;
  table["Add"] = merge<Add>();
  table["Mul"] = merge<Multiply>();
  table["Concat"] = import_concat;
  table["Pad"] = import_pad;
  table["Upsample"] = import_resize;
  table["Resize"] = import_resize;
}

}  // namespace convnet::io::onnx_detail
