#include "support/gradcheck.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <functional>
#include <sstream>

#include "support/compare.h"
#include "support/op_registry.h"

namespace convnet::test {
namespace {

// What the check needs of a layer or a model.
struct Target {
  std::function<Tensor(const Tensor&, Mode)> forward;
  std::function<Tensor(const Tensor&)> backward;
  std::vector<std::pair<std::string, Param>> params;  // learnable parameters only
  std::function<void()> zero_grad;
};

double max_abs(const Tensor& t) {
  double m = 0.0;
  for (float v : t) m = std::max(m, double(std::abs(v)));
  return m;
}

class Checker {
 public:
  Checker(Target& t, const Tensor& x, Rng& rng, const GradcheckOptions& o)
      : t_(t), x_(x.clone()), o_(o) {
    const Tensor y = t_.forward(x_, Mode::train);
    r_ = random_normal(y.shape(), rng);
    // A float forward pass rounds each output by up to half an ulp, so two evaluations of L can
    // differ by ~2 eps |y| |r| however small the gradient: the floor of what a step h resolves.
    noise_ = 2.0 * FLT_EPSILON * max_abs(y) * max_abs(r_);
  }

  ::testing::AssertionResult run() {
    t_.zero_grad();
    const Tensor dx = t_.backward(r_).clone();
    if (dx.shape() != x_.shape())
      return ::testing::AssertionFailure()
             << "backward returned dx of shape " << dx.shape() << " for x of shape " << x_.shape();
    // Copy the analytic gradients before the numeric passes run any forward.
    std::vector<Tensor> grads;
    for (auto& [name, p] : t_.params) grads.push_back(p.grad->clone());
    check("x", x_, dx);
    for (size_t k = 0; k < grads.size(); ++k)
      check(t_.params[k].first, *t_.params[k].second.value, grads[k]);
    if (report_.empty()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "gradient of L = sum(y * r) disagrees with central "
                                            "differences:"
                                         << report_;
  }

 private:
  double loss() {
    const Tensor y = t_.forward(x_, Mode::eval);
    double s = 0.0;
    for (int64_t i = 0; i < y.numel(); ++i) s += double(y[i]) * double(r_[i]);
    return s;
  }

  // Central difference in v (an element of x_ or of a parameter), divided by the step actually
  // taken after rounding v +- h to float.
  double numeric(float& v, double h) {
    const float v0 = v, up = float(v0 + h), down = float(v0 - h);
    v = up;
    const double l_up = loss();
    v = down;
    const double l_down = loss();
    v = v0;
    return (l_up - l_down) / (double(up) - double(down));
  }

  void check(const std::string& name, Tensor& values, const Tensor& analytic) {
    const int64_t n = values.numel();
    std::vector<double> first(static_cast<size_t>(n));
    double scale = 0.0;
    for (int64_t i = 0; i < n; ++i) {
      first[size_t(i)] = numeric(values[i], o_.steps[0]);
      scale = std::max({scale, std::abs(first[size_t(i)]), std::abs(double(analytic[i]))});
    }
    auto allowed = [&](size_t step) { return o_.tolerance * scale + noise_ / o_.steps[step]; };
    struct Bad {
      int64_t i;
      std::vector<double> estimates;
    };
    std::vector<Bad> bad;
    for (int64_t i = 0; i < n; ++i) {
      const double a = analytic[i];
      std::vector<double> estimates{first[size_t(i)]};
      // NaN fails every comparison and so every step.
      auto agrees = [&] { return std::abs(a - estimates.back()) <= allowed(estimates.size() - 1); };
      while (!agrees() && estimates.size() < o_.steps.size())
        estimates.push_back(numeric(values[i], o_.steps[estimates.size()]));
      if (!agrees()) bad.push_back({i, std::move(estimates)});
    }
    if (bad.empty()) return;
    std::sort(bad.begin(), bad.end(), [&](const Bad& p, const Bad& q) {
      return std::abs(analytic[p.i] - p.estimates[0]) > std::abs(analytic[q.i] - q.estimates[0]);
    });
    std::ostringstream os;
    os.precision(7);
    os << "\n  d/d" << name << " " << values.shape() << ": " << bad.size() << " of " << n
       << " elements off by more than " << allowed(0) << " (tolerance " << o_.tolerance
       << " x scale " << scale << " + rounding floor " << noise_ / o_.steps[0] << "); worst:";
    for (size_t k = 0; k < bad.size() && int(k) < o_.max_reported; ++k) {
      os << "\n    " << name << index_string(values.shape(), bad[k].i) << "  analytic "
         << analytic[bad[k].i] << "  numeric";
      for (size_t s = 0; s < bad[k].estimates.size(); ++s)
        os << " " << bad[k].estimates[s] << " (h=" << o_.steps[s] << ")";
    }
    report_ += os.str();
  }

  Target& t_;
  Tensor x_, r_;
  double noise_ = 0.0;
  const GradcheckOptions& o_;
  std::string report_;
};

}  // namespace

::testing::AssertionResult gradcheck(Layer& layer, const Tensor& x, Rng& rng,
                                     const GradcheckOptions& options) {
  Target t{[&](const Tensor& in, Mode m) { return layer.forward(in, m); },
           [&](const Tensor& dy) { return layer.backward(dy); },
           {},
           [&] { layer.zero_grad(); }};
  for (const Param& p : layer.params())
    if (p.grad) t.params.emplace_back(p.name, p);
  return Checker(t, x, rng, options).run();
}

::testing::AssertionResult gradcheck(Model& model, const Tensor& x, Rng& rng,
                                     const GradcheckOptions& options) {
  Target t{[&](const Tensor& in, Mode m) { return model.forward(in, m); },
           [&](const Tensor& dy) { return model.backward(dy); },
           {},
           [&] { model.zero_grad(); }};
  for (const NamedParam& p : model.params())
    if (p.param.grad) t.params.emplace_back(p.name, p.param);
  return Checker(t, x, rng, options).run();
}

}  // namespace convnet::test
