#include "convnet/layers/dropout.h"

namespace convnet {

Dropout::Dropout(DropoutOptions options) : opt_(options) {
  if (!(opt_.rate >= 0.0f && opt_.rate <= 1.0f))
    throw std::invalid_argument("Dropout: rate must be in [0, 1], got " +
                                std::to_string(opt_.rate));
  if (opt_.seed) rng_.seed_with(*opt_.seed);
}

Shape Dropout::output_shape(const Shape& in) const {
  if (in.rank() == 0) shape_error(in, "a shape of rank >= 1");
  return in;
}

void Dropout::reset_parameters(Rng& rng) {
  rng_.seed_with(opt_.seed ? *opt_.seed : rng.next_u64());
}

Tensor Dropout::forward(const Tensor& x, Mode mode) {
  sample_shape(x, x.rank() < 2 ? 2 : x.rank(), "[N, ...]");
  x_shape_ = x.shape();
  if (mode == Mode::eval || opt_.rate == 0.0f) {
    mask_ = Tensor();
    return x;
  }
  // rate = 1 drops everything (PyTorch returns zeros rather than 0 * inf).
  const float keep_scale = opt_.rate < 1.0f ? 1.0f / (1.0f - opt_.rate) : 0.0f;
  mask_ = Tensor(x.shape());
  Tensor y(x.shape());
  const float* src = x.data();
  float* m = mask_.data();
  float* dst = y.data();
  for (int64_t i = 0; i < x.numel(); ++i) {
    m[i] = rng_.uniform() < opt_.rate ? 0.0f : keep_scale;
    dst[i] = src[i] * m[i];
  }
  return y;
}

Tensor Dropout::backward(const Tensor& dy) {
  if (x_shape_.rank() == 0) throw std::logic_error(name() + " (Dropout): backward without forward");
  if (dy.shape() != x_shape_)
    throw ShapeError(name() + " (Dropout): backward received gradient of shape " +
                     dy.shape().str() + ", expected " + x_shape_.str());
  if (mask_.empty()) return dy;
  Tensor dx(dy.shape());
  for (int64_t i = 0; i < dy.numel(); ++i) dx[i] = dy[i] * mask_[i];
  return dx;
}

Config Dropout::config() const {
  Config c;
  c.set("rate", double(opt_.rate));
  if (opt_.seed) c.set("seed", int64_t(*opt_.seed));
  return c;
}

std::unique_ptr<Layer> Dropout::from_config(const Config& c) {
  DropoutOptions o{.rate = float(c.get_float("rate", 0.5))};
  if (c.has("seed")) o.seed = uint64_t(c.get_int("seed"));
  return std::make_unique<Dropout>(o);
}

}  // namespace convnet
