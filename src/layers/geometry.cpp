#include "layers/geometry.h"

#include <stdexcept>

namespace convnet {
namespace {

std::vector<int64_t> pair(Size2 s) { return {s.h, s.w}; }
Size2 size2(const Config& c, const std::string& key, Size2 fallback) {
  const auto v = c.get_ints(key, {fallback.h, fallback.w});
  if (v.size() != 2) throw std::invalid_argument("config key '" + key + "' needs [h, w]");
  return {v[0], v[1]};
}

}  // namespace

std::optional<WindowGeometry> window_geometry(const Shape& in, Size2 kernel, Size2 stride,
                                              const Padding& padding, Size2 dilation) {
  const Size2 k{dilated(kernel.h, dilation.h), dilated(kernel.w, dilation.w)};
  WindowGeometry g;
  g.pads = resolve_padding(padding, {in[1], in[2]}, k, stride);
  const Pads& p = g.pads;
  if (p.top < 0 || p.bottom < 0 || p.left < 0 || p.right < 0) return std::nullopt;
  g.oh = window_output_size(in[1], k.h, stride.h, p.top + p.bottom);
  g.ow = window_output_size(in[2], k.w, stride.w, p.left + p.right);
  if (g.oh < 1 || g.ow < 1) return std::nullopt;
  return g;
}

std::string window_requirement(const Shape& in, Size2 kernel, const Padding& padding,
                               Size2 dilation) {
  const Size2 k{dilated(kernel.h, dilation.h), dilated(kernel.w, dilation.w)};
  const Pads p = resolve_padding(padding, {in.rank() > 1 ? in[1] : 1, in.rank() > 2 ? in[2] : 1},
                                 k, 1);
  return "[C, H, W] with H + " + std::to_string(p.top + p.bottom) + " >= " + std::to_string(k.h) +
         " and W + " + std::to_string(p.left + p.right) + " >= " + std::to_string(k.w) +
         " (window " + std::to_string(k.h) + "x" + std::to_string(k.w) + ", padding " +
         padding.mode_name() + ")";
}

Layer::Window sliding_window(const Shape& in, Size2 kernel, Size2 stride, const Padding& padding,
                             Size2 dilation) {
  const auto g = window_geometry(in, kernel, stride, padding, dilation);
  return {.kernel = {dilated(kernel.h, dilation.h), dilated(kernel.w, dilation.w)},
          .stride = stride,
          .pad_top = g ? g->pads.top : 0,
          .pad_left = g ? g->pads.left : 0};
}

kernels::PoolGeom pool_geom(int64_t batch, const Shape& in, const Shape& out, Size2 kernel,
                            Size2 stride, const Padding& padding) {
  const Pads p = resolve_padding(padding, {in[1], in[2]}, kernel, stride);
  kernels::PoolGeom g;
  g.N = batch, g.C = in[0], g.IH = in[1], g.IW = in[2];
  g.KH = kernel.h, g.KW = kernel.w, g.SH = stride.h, g.SW = stride.w;
  g.PT = p.top, g.PL = p.left, g.OH = out[1], g.OW = out[2];
  return g;
}

kernels::ConvGeom conv_geom(int64_t batch, const Shape& in, const Shape& out, Size2 kernel,
                            Size2 stride, const Padding& padding, Size2 dilation, int64_t groups) {
  const Pads p = resolve_padding(padding, {in[1], in[2]},
                                 {dilated(kernel.h, dilation.h), dilated(kernel.w, dilation.w)},
                                 stride);
  kernels::ConvGeom g;
  g.N = batch, g.IC = in[0], g.IH = in[1], g.IW = in[2];
  g.OC = out[0], g.OH = out[1], g.OW = out[2];
  g.KH = kernel.h, g.KW = kernel.w, g.SH = stride.h, g.SW = stride.w;
  g.PT = p.top, g.PL = p.left, g.DH = dilation.h, g.DW = dilation.w, g.G = groups;
  return g;
}

void put_window_config(Config& c, Size2 kernel, Size2 stride, const Padding& padding,
                       Size2 dilation) {
  c.set("kernel", pair(kernel)).set("stride", pair(stride)).set("dilation", pair(dilation));
  c.set("padding", padding.mode_name());
  if (padding.mode == PaddingMode::explicit_)
    c.set("pads", std::vector<int64_t>{padding.top, padding.bottom, padding.left, padding.right});
}

void get_window_config(const Config& c, Size2& kernel, Size2& stride, Padding& padding,
                       Size2& dilation) {
  kernel = size2(c, "kernel", kernel);
  stride = size2(c, "stride", stride);
  dilation = size2(c, "dilation", dilation);
  padding = Padding::mode_from_name(c.get_string("padding", "valid"));
  if (padding.mode == PaddingMode::explicit_) {
    const auto v = c.get_ints("pads");
    if (v.size() != 4) throw std::invalid_argument("config key 'pads' needs 4 values");
    padding = Padding(v[0], v[1], v[2], v[3]);
  }
}

}  // namespace convnet
