#include "convnet/optim/schedule.h"

#include <charconv>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <vector>

namespace convnet {
namespace {

// Shortest text that reads back as the same double: "0.1", "20".
std::string number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

}  // namespace

StepLR::StepLR(double step_size, double gamma) : step_size_(step_size), gamma_(gamma) {
  require(step_size > 0.0, "StepLR: step_size must be > 0");
  require(gamma >= 0.0, "StepLR: gamma must be >= 0");
}
double StepLR::lr(double epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, std::floor(epoch / step_size_));
}
std::string StepLR::name() const {
  return "step:" + number(step_size_) + ":" + number(gamma_);
}

ExponentialLR::ExponentialLR(double gamma) : gamma_(gamma) {
  require(gamma >= 0.0, "ExponentialLR: gamma must be >= 0");
}
double ExponentialLR::lr(double epoch, double base_lr) const {
  return base_lr * std::pow(gamma_, epoch);
}
std::string ExponentialLR::name() const {
  return "exp:" + number(gamma_);
}

CosineAnnealingLR::CosineAnnealingLR(double t_max, double eta_min)
    : t_max_(t_max), eta_min_(eta_min) {
  require(t_max > 0.0, "CosineAnnealingLR: t_max must be > 0");
  require(eta_min >= 0.0, "CosineAnnealingLR: eta_min must be >= 0");
}
double CosineAnnealingLR::lr(double epoch, double base_lr) const {
  return eta_min_ +
         (base_lr - eta_min_) * (1.0 + std::cos(std::numbers::pi * epoch / t_max_)) / 2.0;
}
std::string CosineAnnealingLR::name() const {
  std::string s = "cosine:" + number(t_max_);
  if (eta_min_ != 0.0) s.append(":").append(number(eta_min_));
  return s;
}

LinearWarmup::LinearWarmup(double warmup_epochs, std::unique_ptr<LRSchedule> after,
                           double start_factor)
    : warmup_epochs_(warmup_epochs), after_(std::move(after)), start_factor_(start_factor) {
  require(warmup_epochs > 0.0, "LinearWarmup: warmup_epochs must be > 0");
  require(start_factor >= 0.0 && start_factor <= 1.0,
          "LinearWarmup: start_factor must be in [0, 1]");
}
double LinearWarmup::lr(double epoch, double base_lr) const {
  if (epoch < warmup_epochs_)
    return base_lr * (start_factor_ + (1.0 - start_factor_) * epoch / warmup_epochs_);
  return after_ ? after_->lr(epoch - warmup_epochs_, base_lr) : base_lr;
}
std::string LinearWarmup::name() const {
  std::string s = "warmup:" + number(warmup_epochs_) + ":" + number(start_factor_);
  if (after_) s.append(",").append(after_->name());
  return s;
}

std::unique_ptr<LRSchedule> make_schedule(const std::string& spec) {
  const std::string forms =
      " (expected step:S[:GAMMA], exp:GAMMA, cosine:T_MAX[:ETA_MIN], or "
      "warmup:EPOCHS[:START_FACTOR] optionally followed by ',' and one of the others)";
  const auto fail = [&](const std::string& why) -> std::invalid_argument {
    return std::invalid_argument("learning-rate schedule '" + spec + "': " + why + forms);
  };
  // "warmup:2,cosine:20" -> parts "warmup:2", "cosine:20"; each part -> kind and numbers.
  const auto parse = [&](const std::string& part, std::string& kind) {
    std::vector<double> args;
    size_t pos = part.find(':');
    kind = part.substr(0, pos);
    while (pos != std::string::npos) {
      const size_t next = part.find(':', pos + 1);
      const std::string text = part.substr(pos + 1, next - pos - 1);
      double v = 0.0;
      const auto r = std::from_chars(text.data(), text.data() + text.size(), v);
      if (text.empty() || r.ec != std::errc() || r.ptr != text.data() + text.size())
        throw fail("'" + text + "' is not a number");
      args.push_back(v);
      pos = next;
    }
    return args;
  };
  const auto arity = [&](const std::string& kind, const std::vector<double>& a, size_t lo,
                         size_t hi) {
    if (a.size() < lo || a.size() > hi)
      throw fail(kind + " takes " + std::to_string(lo) +
                 (hi > lo ? " or " + std::to_string(hi) : "") + " numbers");
  };
  const auto single = [&](const std::string& part) -> std::unique_ptr<LRSchedule> {
    std::string kind;
    const std::vector<double> a = parse(part, kind);
    if (kind == "step") {
      arity(kind, a, 1, 2);
      return std::make_unique<StepLR>(a[0], a.size() > 1 ? a[1] : 0.1);
    }
    if (kind == "exp") {
      arity(kind, a, 1, 1);
      return std::make_unique<ExponentialLR>(a[0]);
    }
    if (kind == "cosine") {
      arity(kind, a, 1, 2);
      return std::make_unique<CosineAnnealingLR>(a[0], a.size() > 1 ? a[1] : 0.0);
    }
    throw fail("unknown schedule '" + kind + "'");
  };

  const size_t comma = spec.find(',');
  const std::string first = spec.substr(0, comma);
  if (first.rfind("warmup", 0) != 0) {
    if (comma != std::string::npos) throw fail("only warmup may be followed by another schedule");
    return single(first);
  }
  std::string kind;
  const std::vector<double> a = parse(first, kind);
  if (kind != "warmup") throw fail("unknown schedule '" + kind + "'");
  arity(kind, a, 1, 2);
  std::unique_ptr<LRSchedule> after;
  if (comma != std::string::npos) {
    const std::string rest = spec.substr(comma + 1);
    if (rest.find(',') != std::string::npos) throw fail("at most one schedule after warmup");
    after = single(rest);
  }
  return std::make_unique<LinearWarmup>(a[0], std::move(after), a.size() > 1 ? a[1] : 1.0 / 3.0);
}

}  // namespace convnet
