// Shape arithmetic shared by the sliding-window layers (convolutions and pooling): output sizes,
// the shape-error text, kernel geometry structs and the window part of their configs.
#pragma once

#include <optional>
#include <string>

#include "convnet/config.h"
#include "convnet/layer.h"
#include "convnet/padding.h"
#include "convnet/shape.h"
#include "kernels/conv2d.h"
#include "kernels/pool2d.h"

namespace convnet {

struct WindowGeometry {
  Pads pads;
  int64_t oh = 0, ow = 0;
};

// Output size and padding of a window over input [C, H, W]; nullopt when the (dilated) window is
// larger than the padded input.
std::optional<WindowGeometry> window_geometry(const Shape& in, Size2 kernel, Size2 stride,
                                              const Padding& padding, Size2 dilation = 1);
// "[C, H, W] with H >= 5 and W >= 5 (kernel 5x5 after padding valid)" for shape errors.
std::string window_requirement(const Shape& in, Size2 kernel, const Padding& padding,
                               Size2 dilation = 1);
// The summary's view of such a window over a built input (for receptive fields).
Layer::Window sliding_window(const Shape& in, Size2 kernel, Size2 stride, const Padding& padding,
                             Size2 dilation = 1);

kernels::PoolGeom pool_geom(int64_t batch, const Shape& in, const Shape& out, Size2 kernel,
                            Size2 stride, const Padding& padding);

// The convolution geometry of input [C, H, W] -> output [OC, OH, OW].
kernels::ConvGeom conv_geom(int64_t batch, const Shape& in, const Shape& out, Size2 kernel,
                            Size2 stride, const Padding& padding, Size2 dilation, int64_t groups);
// The same for options with kernel/stride/padding/dilation/groups fields.
template <typename Options>
kernels::ConvGeom conv_geom(int64_t batch, const Shape& in, const Shape& out, const Options& o) {
  return conv_geom(batch, in, out, o.kernel, o.stride, o.padding, o.dilation, o.groups);
}

// Config keys "kernel", "stride", "dilation" ([h, w]), "padding" (mode name) and "pads"
// ([top, bottom, left, right], explicit mode only).
void put_window_config(Config& c, Size2 kernel, Size2 stride, const Padding& padding,
                       Size2 dilation = 1);
void get_window_config(const Config& c, Size2& kernel, Size2& stride, Padding& padding,
                       Size2& dilation);

}  // namespace convnet
