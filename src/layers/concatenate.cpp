#include <cstring>

#include "convnet/layers/merge.h"

namespace convnet {
namespace {

// Splits a batch shape at `axis` (of the sample shape) into outer (batch and axes before),
// the axis length, and inner (axes after) element counts.
struct Split {
  int64_t outer, len, inner;
};
Split split_at(const Shape& batch_shape, int64_t axis) {
  Split s{1, batch_shape[size_t(axis + 1)], 1};
  for (int64_t i = 0; i <= axis; ++i) s.outer *= batch_shape[size_t(i)];
  for (size_t i = size_t(axis + 2); i < batch_shape.rank(); ++i) s.inner *= batch_shape[i];
  return s;
}

}  // namespace

std::unique_ptr<Layer> Concatenate::from_config(const Config& c) {
  return std::make_unique<Concatenate>(ConcatenateOptions{c.get_int("axis", 0)});
}

Shape Concatenate::output_shape(const std::vector<Shape>& in) const {
  if (in.size() < 2) shapes_error(in, "two or more inputs");
  const int64_t rank = int64_t(in[0].rank());
  const int64_t axis = opt_.axis < 0 ? opt_.axis + rank : opt_.axis;
  if (axis < 0 || axis >= rank) shapes_error(in, "inputs of rank > " + std::to_string(opt_.axis));
  Shape out = in[0];
  out[size_t(axis)] = 0;
  for (const Shape& s : in) {
    bool match = int64_t(s.rank()) == rank;
    for (int64_t i = 0; match && i < rank; ++i) match = i == axis || s[size_t(i)] == in[0][size_t(i)];
    if (!match)
      shapes_error(in, "inputs equal in every axis but axis " + std::to_string(axis));
    out[size_t(axis)] += s[size_t(axis)];
  }
  return out;
}

Tensor Concatenate::forward(const std::vector<Tensor>& xs, Mode mode) {
  const Shape out = output_shape(shapes_of(xs));
  const int64_t axis = opt_.axis < 0 ? opt_.axis + int64_t(out.rank()) : opt_.axis;
  Tensor y(out.with_batch(xs[0].dim(0)));
  const Split ys = split_at(y.shape(), axis);
  int64_t offset = 0;  // along the axis
  shapes_.clear();
  for (const Tensor& x : xs) {
    const Split s = split_at(x.shape(), axis);
    for (int64_t o = 0; o < s.outer; ++o)
      std::memcpy(y.data() + (o * ys.len + offset) * ys.inner, x.data() + o * s.len * s.inner,
                  size_t(s.len * s.inner) * sizeof(float));
    offset += s.len;
    if (mode == Mode::train) shapes_.push_back(x.shape());
  }
  return y;
}

std::vector<Tensor> Concatenate::backward_all(const Tensor& dy) {
  const int64_t axis = opt_.axis < 0 ? opt_.axis + int64_t(dy.rank()) - 1 : opt_.axis;
  const Split ys = split_at(dy.shape(), axis);
  std::vector<Tensor> dxs;
  int64_t offset = 0;
  for (const Shape& shape : shapes_) {
    Tensor dx(shape);
    const Split s = split_at(shape, axis);
    for (int64_t o = 0; o < s.outer; ++o)
      std::memcpy(dx.data() + o * s.len * s.inner, dy.data() + (o * ys.len + offset) * ys.inner,
                  size_t(s.len * s.inner) * sizeof(float));
    offset += s.len;
    dxs.push_back(std::move(dx));
  }
  return dxs;
}

}  // namespace convnet
