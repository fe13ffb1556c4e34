// Constant folding: the operators that torch.onnx.export writes to compute shapes (for
// x.view(x.size(0), -1) and friends) run here, at import time, on constants.
#include <cmath>

#include "onnx_import.h"

namespace convnet::io::onnx_detail {
namespace {

Constant ints_constant(std::vector<int64_t> dims, std::vector<int64_t> values) {
  Constant c;
  c.dims = std::move(dims);
  c.is_int = true;
  c.i = std::move(values);
  return c;
}

// An axis in [-rank, rank) made non-negative.
int64_t normalized_axis(Importer& im, int64_t axis, int64_t rank) {
  if (axis < -rank || axis >= rank)
    im.fail("axis " + std::to_string(axis) + " is outside a rank-" + std::to_string(rank) + " tensor");
  return axis < 0 ? axis + rank : axis;
}

// The axes of Unsqueeze/Squeeze: an attribute before opset 13, an input since.
std::vector<int64_t> axes_of(Importer& im) {
  if (im.opset() >= 13) return im.has_input(1) ? im.constant(1).ints("axes") : std::vector<int64_t>{};
  return im.attr_ints("axes", {});
}

void fold_shape(Importer& im) {
  im.check_attributes({"start", "end"});
  std::vector<int64_t> dims;
  if (im.is_constant(0)) {
    dims = im.constant(0).dims;
  } else {
    dims = im.runtime(0).shape.with_batch(im.batch()).dims();
  }
  const auto rank = int64_t(dims.size());
  auto clamp = [&](int64_t a) { return std::clamp(a < 0 ? a + rank : a, int64_t(0), rank); };
  const int64_t start = clamp(im.attr_int("start", 0)), end = clamp(im.attr_int("end", rank));
  std::vector<int64_t> out(dims.begin() + start, dims.begin() + std::max(start, end));
  im.define(0, ints_constant({int64_t(out.size())}, out));
}

void fold_constant(Importer& im) {
  im.check_attributes({"value", "value_float", "value_floats", "value_int", "value_ints"});
  Constant c;
  if (const auto* a = im.attribute("value")) {
    c = read_tensor(a->t(), im.where() + " value");
  } else if (const auto* a = im.attribute("value_int")) {
    c = ints_constant({}, {a->i()});
  } else if (const auto* a = im.attribute("value_ints")) {
    c = ints_constant({a->ints_size()}, {a->ints().begin(), a->ints().end()});
  } else if (const auto* a = im.attribute("value_float")) {
    c.f = {a->f()};
  } else if (const auto* a = im.attribute("value_floats")) {
    c.dims = {a->floats_size()};
    c.f.assign(a->floats().begin(), a->floats().end());
  } else {
    im.fail("has no value attribute");
  }
  im.define(0, std::move(c));
}

void fold_identity(Importer& im) { im.define(0, im.constant(0)); }

void fold_gather(Importer& im) {
  im.check_attributes({"axis"});
  const Constant& data = im.constant(0);
  const Constant& idx = im.constant(1);
  if (data.dims.size() != 1) im.fail("folds only rank-1 data (shape vectors)");
  normalized_axis(im, im.attr_int("axis", 0), 1);
  Constant out = data;
  out.dims = idx.dims;
  out.f.clear();
  out.i.clear();
  const auto n = int64_t(data.numel());
  for (int64_t k : idx.ints("indices")) {
    if (k < -n || k >= n) im.fail("index " + std::to_string(k) + " is out of range");
    if (k < 0) k += n;
    if (data.is_int) out.i.push_back(data.i[size_t(k)]); else out.f.push_back(data.f[size_t(k)]);
  }
  im.define(0, std::move(out));
}

void fold_unsqueeze(Importer& im) {
  im.check_attributes({"axes"});
  Constant c = im.constant(0);
  const std::vector<int64_t> axes = axes_of(im);
  const auto rank = int64_t(c.dims.size() + axes.size());
  std::vector<bool> inserted(size_t(rank), false);
  for (int64_t a : axes) inserted[size_t(normalized_axis(im, a, rank))] = true;
  std::vector<int64_t> dims;
  size_t next = 0;
  for (int64_t k = 0; k < rank; ++k) dims.push_back(inserted[size_t(k)] ? 1 : c.dims.at(next++));
  c.dims = dims;
  im.define(0, std::move(c));
}

void fold_squeeze(Importer& im) {
  im.check_attributes({"axes"});
  Constant c = im.constant(0);
  std::vector<int64_t> axes = axes_of(im);
  const auto rank = int64_t(c.dims.size());
  std::vector<int64_t> dims;
  for (int64_t k = 0; k < rank; ++k) {
    bool drop = axes.empty() && c.dims[size_t(k)] == 1;
    for (int64_t a : axes) drop |= normalized_axis(im, a, rank) == k;
    if (!drop) dims.push_back(c.dims[size_t(k)]);
  }
  c.dims = dims;
  im.define(0, std::move(c));
}

void fold_concat(Importer& im) {
  im.check_attributes({"axis"});
  Constant out = im.constant(0);
  if (out.dims.size() != 1) im.fail("folds only rank-1 constants");
  for (int k = 1; k < im.node().input_size(); ++k) {
    const Constant& c = im.constant(k);
    if (c.dims.size() != 1 || c.is_int != out.is_int) im.fail("folds only rank-1 constants of one type");
    out.i.insert(out.i.end(), c.i.begin(), c.i.end());
    out.f.insert(out.f.end(), c.f.begin(), c.f.end());
  }
  out.dims = {out.numel()};
  im.define(0, std::move(out));
}

void fold_cast(Importer& im) {
  im.check_attributes({"to", "saturate"});
  Constant c = im.constant(0);
  const auto to = int32_t(im.attr_int("to", onnx::TensorProto::FLOAT));
  const bool to_float = to == onnx::TensorProto::FLOAT || to == onnx::TensorProto::DOUBLE;
  if (to_float && c.is_int) {
    c.f.assign(c.i.begin(), c.i.end());
    c.i.clear();
  } else if (!to_float && !c.is_int) {
    for (float v : c.f) c.i.push_back(int64_t(v));
    c.f.clear();
  }
  c.is_int = !to_float;
  im.define(0, std::move(c));
}

// Row-major strides of dims.
std::vector<int64_t> strides_of(const std::vector<int64_t>& dims) {
  std::vector<int64_t> st(dims.size(), 1);
  for (size_t k = dims.size(); k-- > 1;) st[k - 1] = st[k] * dims[k];
  return st;
}

// out[j] = c[source(j)] for every element j of a tensor of shape dims, where `source` maps the
// multi-index of j to a flat index of c.
template <typename F>
Constant gather_elements(const Constant& c, const std::vector<int64_t>& dims, F source) {
  Constant out;
  out.dims = dims;
  out.is_int = c.is_int;
  const int64_t n = Shape(dims).numel();
  std::vector<int64_t> idx(dims.size(), 0);
  for (int64_t j = 0; j < n; ++j) {
    const int64_t from = source(idx);
    if (c.is_int) out.i.push_back(c.i[size_t(from)]); else out.f.push_back(c.f[size_t(from)]);
    for (size_t k = dims.size(); k-- > 0;) {
      if (++idx[k] < dims[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

void fold_slice(Importer& im) {
  im.check_attributes({"starts", "ends", "axes"});
  const Constant& data = im.constant(0);
  const auto rank = int64_t(data.dims.size());
  std::vector<int64_t> starts, ends, axes, steps;
  if (im.opset() < 10) {
    starts = im.attr_ints("starts", {});
    ends = im.attr_ints("ends", {});
    axes = im.attr_ints("axes", {});
  } else {
    starts = im.constant(1).ints("starts");
    ends = im.constant(2).ints("ends");
    if (im.has_input(3)) axes = im.constant(3).ints("axes");
    if (im.has_input(4)) steps = im.constant(4).ints("steps");
  }
  if (axes.empty())
    for (size_t k = 0; k < starts.size(); ++k) axes.push_back(int64_t(k));
  if (steps.empty()) steps.assign(starts.size(), 1);
  if (ends.size() != starts.size() || axes.size() != starts.size() || steps.size() != starts.size())
    im.fail("starts, ends, axes and steps differ in length");
  std::vector<int64_t> first(size_t(rank), 0), step(size_t(rank), 1), dims = data.dims;
  for (size_t k = 0; k < starts.size(); ++k) {
    const auto a = size_t(normalized_axis(im, axes[k], rank));
    const int64_t n = data.dims[a], s = steps[k];
    if (s == 0) im.fail("a step of 0");
    auto clamp = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0) v += n;
      return std::clamp(v, lo, hi);
    };
    // ONNX clamps to [0, n] going forwards and to [-1, n - 1] going backwards.
    const int64_t b = s > 0 ? clamp(starts[k], 0, n) : clamp(starts[k], -1, n - 1);
    const int64_t e = s > 0 ? clamp(ends[k], 0, n) : clamp(ends[k], -1, n - 1);
    first[a] = b;
    step[a] = s;
    dims[a] = s > 0 ? std::max<int64_t>(0, (e - b + s - 1) / s) : std::max<int64_t>(0, (b - e - s - 1) / -s);
  }
  const std::vector<int64_t> st = strides_of(data.dims);
  im.define(0, gather_elements(data, dims, [&](const std::vector<int64_t>& idx) {
              int64_t from = 0;
              for (size_t k = 0; k < idx.size(); ++k) from += (first[k] + idx[k] * step[k]) * st[k];
              return from;
            }));
}

void fold_transpose(Importer& im) {
  im.check_attributes({"perm"});
  const Constant& data = im.constant(0);
  const size_t rank = data.dims.size();
  std::vector<int64_t> perm = im.attr_ints("perm", {});
  if (perm.empty())
    for (size_t k = rank; k-- > 0;) perm.push_back(int64_t(k));
  if (perm.size() != rank) im.fail("perm does not match the rank");
  std::vector<int64_t> dims;
  for (int64_t p : perm) dims.push_back(data.dims.at(size_t(normalized_axis(im, p, int64_t(rank)))));
  const std::vector<int64_t> st = strides_of(data.dims);
  im.define(0, gather_elements(data, dims, [&](const std::vector<int64_t>& idx) {
              int64_t from = 0;
              for (size_t k = 0; k < rank; ++k) from += idx[k] * st[size_t(perm[k])];
              return from;
            }));
}

void fold_constant_of_shape(Importer& im) {
  im.check_attributes({"value"});
  const std::vector<int64_t> dims = im.constant(0).ints("shape");
  Constant value;
  value.f = {0.0f};
  if (const auto* a = im.attribute("value")) value = read_tensor(a->t(), im.where() + " value");
  if (value.numel() != 1) im.fail("value must hold one element");
  for (int64_t d : dims)
    if (d < 0 || d > 4096) im.fail("folds only small shapes");
  if (Shape(dims).numel() > (1 << 16)) im.fail("folds only small shapes");
  im.define(0, gather_elements(value, dims, [](const std::vector<int64_t>&) { return int64_t(0); }));
}

// Element-wise arithmetic on constants of one shape, or one of them a single value.
template <typename Op>
Handler arithmetic(Op op) {
  return [op](Importer& im) {
    im.check_attributes({});
    const Constant& a = im.constant(0);
    const Constant& b = im.constant(1);
    if (a.numel() != b.numel() && a.numel() != 1 && b.numel() != 1)
      im.fail("folds only equal shapes or a single value");
    Constant out = a.numel() >= b.numel() ? a : b;
    out.is_int = a.is_int && b.is_int;
    out.i.clear();
    out.f.clear();
    const int64_t n = std::max(a.numel(), b.numel());
    for (int64_t k = 0; k < n; ++k) {
      const double x = a.at(a.numel() == 1 ? 0 : k), y = b.at(b.numel() == 1 ? 0 : k);
      if (out.is_int) out.i.push_back(int64_t(op(x, y, true))); else out.f.push_back(float(op(x, y, false)));
    }
    im.define(0, std::move(out));
  };
}

void fold_reshape(Importer& im) {
  im.check_attributes({"allowzero"});
  Constant c = im.constant(0);
  std::vector<int64_t> dims = im.constant(1).ints("shape");
  int64_t known = 1, infer = -1;
  for (size_t k = 0; k < dims.size(); ++k) {
    if (dims[k] == 0 && k < c.dims.size()) dims[k] = c.dims[k];
    if (dims[k] == -1) infer = int64_t(k); else known *= dims[k];
  }
  if (infer >= 0 && known > 0) dims[size_t(infer)] = c.numel() / known;
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  if (n != c.numel()) im.fail("cannot reshape a constant of " + std::to_string(c.numel()) + " values");
  c.dims = dims;
  im.define(0, std::move(c));
}

}  // namespace

const std::map<std::string, Handler>& fold_handlers() {
  static const std::map<std::string, Handler> table{
      {"Shape", fold_shape},
      {"Constant", fold_constant},
      {"Identity", fold_identity},
      {"Gather", fold_gather},
      {"Unsqueeze", fold_unsqueeze},
      {"Squeeze", fold_squeeze},
      {"Concat", fold_concat},
      {"Cast", fold_cast},
      {"Slice", fold_slice},
      {"Transpose", fold_transpose},
      {"ConstantOfShape", fold_constant_of_shape},
      {"Reshape", fold_reshape},
      {"Add", arithmetic([](double x, double y, bool) { return x + y; })},
      {"Sub", arithmetic([](double x, double y, bool) { return x - y; })},
      {"Mul", arithmetic([](double x, double y, bool) { return x * y; })},
      {"Div", arithmetic([](double x, double y, bool is_int) {
         return is_int ? (y == 0 ? 0.0 : std::floor(x / y)) : x / y;
       })},
  };
  return table;
}

}  // namespace convnet::io::onnx_detail
