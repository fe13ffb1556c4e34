// What MaxPool2D and AvgPool2D share: options, shape inference and config.
#include "convnet/layers/pooling.h"
#include "layers/geometry.h"

namespace convnet {

Pool2D::Pool2D(Pool2DOptions options) : opt_(options) {
  if (opt_.stride.h == 0) opt_.stride.h = opt_.pool.h;
  if (opt_.stride.w == 0) opt_.stride.w = opt_.pool.w;
  if (opt_.pool.h < 1 || opt_.pool.w < 1 || opt_.stride.h < 1 || opt_.stride.w < 1)
    throw std::invalid_argument("Pool2D: pool and stride must be >= 1");
}

Shape Pool2D::output_shape(const Shape& in) const {
  if (in.rank() != 3) shape_error(in, "[C, H, W]");
  const auto g = window_geometry(in, opt_.pool, opt_.stride, opt_.padding);
  if (!g) shape_error(in, window_requirement(in, opt_.pool, opt_.padding));
  return {in[0], g->oh, g->ow};
}

Layer::Window Pool2D::window() const {
  return sliding_window(input_shape(), opt_.pool, opt_.stride, opt_.padding);
}

Config Pool2D::config() const {
  Config c;
  put_window_config(c, opt_.pool, opt_.stride, opt_.padding);
  if (opt_.count_include_pad) c.set("count_include_pad", true);
  return c;
}

Pool2DOptions Pool2D::options_from(const Config& c) {
  Pool2DOptions o;
  Size2 dilation = 1;
  get_window_config(c, o.pool, o.stride, o.padding, dilation);
  o.count_include_pad = c.get_bool("count_include_pad", false);
  return o;
}

}  // namespace convnet
