#include "convnet/layers/batch_norm.h"

#include <cmath>

#include "kernels/batch_norm.h"

namespace convnet {

BatchNorm::BatchNorm(BatchNormOptions options) : opt_(options) {
  if (!(opt_.momentum >= 0.0f && opt_.momentum <= 1.0f))
    throw std::invalid_argument(
        "BatchNorm: momentum must be in [0, 1] (PyTorch's convention: the "
        "weight of the new batch statistic), got " +
        std::to_string(opt_.momentum));
  if (!(opt_.eps > 0.0f)) throw std::invalid_argument("BatchNorm: eps must be > 0");
}

Shape BatchNorm::checked_shape(const Shape& in) const {
  if (!accepts_rank(in.rank())) shape_error(in, expected_shape());
  if (!running_mean_.empty() && in[0] != running_mean_.numel())
    shape_error(in, std::string(expected_shape()) + " with " +
                        std::to_string(running_mean_.numel()) + " channels (as built)");
  return in;
}

void BatchNorm::allocate(const Shape& in) {
  const Shape c{in[0]};
  running_mean_ = Tensor(c);
  running_var_ = Tensor(c);
  if (opt_.affine) {
    gamma_ = Tensor(c);
    beta_ = Tensor(c);
    dgamma_ = Tensor(c);
    dbeta_ = Tensor(c);
  }
}

void BatchNorm::reset_parameters(Rng&) {
  gamma_.fill(1.0f);
  beta_.zero();
  running_mean_.zero();
  running_var_.fill(1.0f);
}

Tensor BatchNorm::forward(const Tensor& x, Mode mode) {
  const Shape in = sample_shape(x, x.rank() < 2 ? 2 : x.rank(), "[N, C, ...]");
  checked_shape(in);
  const kernels::BatchNormGeom g{x.dim(0), in[0], in.numel() / in[0]};
  batch_statistics_ = mode == Mode::train && trainable();
  mean_ = Tensor({g.C});
  invstd_ = Tensor({g.C});
  if (batch_statistics_) {
    const int64_t M = g.N * g.P;
    if (M < 2)
      throw std::invalid_argument(name() + " (" + type() +
                                  "): training needs more than one value "
                                  "per channel, received batch of shape " +
                                  x.shape().str());
    Tensor var({g.C});
    kernels::batch_norm_statistics(g, x.data(), mean_.data(), var.data());
    const float m = opt_.momentum, unbias = float(M) / float(M - 1);
    for (int64_t c = 0; c < g.C; ++c) {
      running_mean_[c] = (1.0f - m) * running_mean_[c] + m * mean_[c];
      running_var_[c] = (1.0f - m) * running_var_[c] + m * var[c] * unbias;
      invstd_[c] = 1.0f / std::sqrt(var[c] + opt_.eps);
    }
  } else {
    mean_.copy_from(running_mean_);
    for (int64_t c = 0; c < g.C; ++c) invstd_[c] = 1.0f / std::sqrt(running_var_[c] + opt_.eps);
  }
  Tensor y(x.shape());
  kernels::batch_norm_forward(g, x.data(), mean_.data(), invstd_.data(),
                              opt_.affine ? gamma_.data() : nullptr,
                              opt_.affine ? beta_.data() : nullptr, y.data());
  // Kept in both modes (x is shared, not copied) so that backward after an eval forward works:
  // the affine gradient through fixed statistics.
  x_ = x;
  return y;
}

Tensor BatchNorm::backward(const Tensor& dy) {
  if (x_.empty()) throw std::logic_error(name() + " (" + type() + "): backward without forward");
  if (dy.shape() != x_.shape())
    throw ShapeError(name() + " (" + type() + "): backward received gradient of shape " +
                     dy.shape().str() + ", expected " + x_.shape().str());
  const kernels::BatchNormGeom g{x_.dim(0), x_.dim(1), x_.numel() / (x_.dim(0) * x_.dim(1))};
  Tensor dx(x_.shape());
  kernels::batch_norm_backward(g, batch_statistics_, x_.data(), mean_.data(), invstd_.data(),
                               opt_.affine ? gamma_.data() : nullptr, dy.data(), dx.data(),
                               opt_.affine ? dgamma_.data() : nullptr,
                               opt_.affine ? dbeta_.data() : nullptr);
  return dx;
}

std::vector<Param> BatchNorm::params() {
  std::vector<Param> p;
  if (opt_.affine) {
    p.push_back({"weight", &gamma_, &dgamma_});
    p.push_back({"bias", &beta_, &dbeta_});
  }
  p.push_back({"running_mean", &running_mean_, nullptr});
  p.push_back({"running_var", &running_var_, nullptr});
  return p;
}

Config BatchNorm::config() const {
  Config c;
  c.set("momentum", double(opt_.momentum)).set("eps", double(opt_.eps)).set("affine", opt_.affine);
  return c;
}

BatchNormOptions BatchNorm::options_from(const Config& c) {
  return {.momentum = float(c.get_float("momentum", 0.1)),
          .eps = float(c.get_float("eps", 1e-5)),
          .affine = c.get_bool("affine", true)};
}

std::unique_ptr<Layer> BatchNorm2D::from_config(const Config& c) {
  return std::make_unique<BatchNorm2D>(options_from(c));
}

std::unique_ptr<Layer> BatchNorm1D::from_config(const Config& c) {
  return std::make_unique<BatchNorm1D>(options_from(c));
}

}  // namespace convnet
