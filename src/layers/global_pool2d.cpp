#include "convnet/layers/global_pooling.h"

namespace convnet {

Shape GlobalPool2D::output_shape(const Shape& in) const {
  if (in.rank() != 3 || in[1] < 1 || in[2] < 1) shape_error(in, "[C, H, W] with H, W >= 1");
  return opt_.keepdims ? Shape{in[0], 1, 1} : Shape{in[0]};
}

Tensor GlobalPool2D::forward(const Tensor& x, Mode mode) {
  const Shape out = output_shape(sample_shape(x, 4, "[N, C, H, W]"));
  const int64_t NC = x.dim(0) * x.dim(1), HW = x.dim(2) * x.dim(3);
  Tensor y(out.with_batch(x.dim(0)));
  // An eval pass keeps nothing: backward needs the argmax of the last training forward.
  std::vector<int64_t> scratch;
  std::vector<int64_t>& argmax = mode == Mode::train ? argmax_ : scratch;
  if (max_) argmax.resize(size_t(NC));
  for (int64_t i = 0; i < NC; ++i) {
    const float* s = x.data() + i * HW;
    if (max_) {
      int64_t best = 0;
      for (int64_t k = 1; k < HW; ++k)
        if (s[k] > s[best] || s[k] != s[k]) best = k;
      argmax[size_t(i)] = best;
      y[i] = s[best];
    } else {
      double sum = 0.0;
      for (int64_t k = 0; k < HW; ++k) sum += s[k];
      y[i] = float(sum / double(HW));
    }
  }
  if (mode == Mode::train) x_shape_ = x.shape();
  return y;
}

Tensor GlobalPool2D::backward(const Tensor& dy) {
  if (x_shape_.rank() != 4) throw std::logic_error(name() + " (" + type() + "): backward without forward");
  const int64_t NC = x_shape_[0] * x_shape_[1], HW = x_shape_[2] * x_shape_[3];
  Tensor dx(x_shape_);
  for (int64_t i = 0; i < NC; ++i) {
    float* d = dx.data() + i * HW;
    if (max_) {
      d[argmax_[size_t(i)]] = dy[i];
    } else {
      const float share = dy[i] / float(HW);
      for (int64_t k = 0; k < HW; ++k) d[k] = share;
    }
  }
  return dx;
}

Config GlobalPool2D::config() const { return Config().set("keepdims", opt_.keepdims); }

}  // namespace convnet
