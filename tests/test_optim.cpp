// Optimizers, gradient clipping and learning-rate schedules against PyTorch (torch.optim on
// float32 tensors, tests/golden/optim_reference.py), and the optimizer's own contract: frozen
// layers, state buffers, checkpoint state, configs.
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "convnet/layers.h"
#include "convnet/optim.h"
#include "convnet/sequential.h"
#include "support/python_golden.h"

namespace convnet {
namespace {

using golden::all_close;
using golden::to_json;

// Steps per optimizer case. The gradients' scale changes from step to step so that the running
// averages both grow and shrink (which AMSGrad's maximum needs to matter).
constexpr int kSteps = 4;
constexpr float kGradScale[kSteps] = {1.0f, 0.05f, 2.0f, 0.01f};

// dense [4, 6] + [4] -> dense_1 [3, 4] + [3], parameters drawn from `seed`.
std::unique_ptr<Sequential> make_model(uint64_t seed = 7) {
  auto m = std::make_unique<Sequential>(Shape{6});
  m->add(Dense({.units = 4}));
  m->add(Dense({.units = 3}));
  Rng rng(seed);
  for (NamedParam& p : m->params())
    p.param.value->copy_from(golden::random_normal(p.param.value->shape(), rng, 0.5f));
  return m;
}

// grads[step][param] for the model's parameters.
std::vector<std::vector<Tensor>> make_grads(uint64_t seed = 11) {
  auto model = make_model();
  Rng rng(seed);
  std::vector<std::vector<Tensor>> grads(kSteps);
  for (int s = 0; s < kSteps; ++s)
    for (NamedParam& p : model->params())
      grads[s].push_back(golden::random_normal(p.param.value->shape(), rng, kGradScale[s]));
  return grads;
}

void set_grads(std::vector<NamedParam>& params, const std::vector<Tensor>& grads) {
  for (size_t k = 0; k < params.size(); ++k) params[k].param.grad->copy_from(grads[k]);
}

struct OptimCase {
  std::string label, optimizer;  // make_optimizer's name
  Config options;
  int frozen_steps = 0;  // layer "dense" is frozen during the first steps
};

std::vector<OptimCase> optim_cases() {
  const auto c = [] { return Config(); };
  return {
      {"sgd", "sgd", c().set("lr", 0.1)},
      {"sgd momentum", "sgd", c().set("lr", 0.1).set("momentum", 0.9)},
      {"sgd nesterov", "sgd", c().set("lr", 0.1).set("momentum", 0.9).set("nesterov", true)},
      {"sgd dampening weight decay", "sgd",
       c().set("lr", 0.2).set("momentum", 0.8).set("dampening", 0.3).set("weight_decay", 0.05)},
      {"sgd weight decay", "sgd", c().set("lr", 0.1).set("weight_decay", 0.1)},
      {"adam", "adam", c().set("lr", 0.05)},
      {"adam amsgrad", "adam", c().set("lr", 0.05).set("beta2", 0.5).set("amsgrad", true)},
      {"adam weight decay", "adam", c().set("lr", 0.05).set("weight_decay", 0.1)},
      {"adam betas eps", "adam",
       c().set("lr", 0.1).set("beta1", 0.5).set("beta2", 0.9).set("eps", 0.1)},
      {"adam amsgrad weight decay", "adam",
       c().set("lr", 0.05).set("beta2", 0.6).set("amsgrad", true).set("weight_decay", 0.2)},
      {"adamw", "adamw", c().set("lr", 0.05)},
      {"adamw amsgrad", "adamw",
       c().set("lr", 0.1).set("weight_decay", 0.5).set("beta2", 0.5).set("amsgrad", true)},
      {"rmsprop", "rmsprop", c().set("lr", 0.01)},
      {"rmsprop centered", "rmsprop", c().set("lr", 0.01).set("centered", true)},
      {"rmsprop momentum", "rmsprop", c().set("lr", 0.01).set("momentum", 0.9)},
      {"rmsprop centered momentum weight decay", "rmsprop",
       c().set("lr", 0.02)
           .set("alpha", 0.9)
           .set("centered", true)
           .set("momentum", 0.5)
           .set("weight_decay", 0.1)},
      {"rmsprop eps", "rmsprop", c().set("lr", 0.05).set("eps", 0.1)},
      // A layer frozen for two steps: PyTorch sees no gradient for it, and its first update
      // afterwards is its step 1 (fresh momentum, bias correction from the start).
      {"frozen sgd momentum", "sgd", c().set("lr", 0.1).set("momentum", 0.9).set("dampening", 0.5),
       2},
      {"frozen adam", "adam", c().set("lr", 0.05), 2},
      {"frozen rmsprop", "rmsprop", c().set("lr", 0.01).set("centered", true), 2},
  };
}

// Our run of a case: parameters after each step, and the final state().
struct Trajectory {
  std::vector<std::vector<Tensor>> params;
  std::map<std::string, Tensor> state;
};

Trajectory run_ours(const OptimCase& c, const std::vector<std::vector<Tensor>>& grads) {
  auto model = make_model();
  std::vector<NamedParam> params = model->params();
  const auto opt = make_optimizer(c.optimizer, params, c.options);
  Trajectory t;
  for (int s = 0; s < kSteps; ++s) {
    model->layer("dense").set_trainable(s >= c.frozen_steps);
    set_grads(params, grads[s]);
    opt->step();
    t.params.emplace_back();
    for (NamedParam& p : params) t.params.back().push_back(p.param.value->clone());
  }
  for (auto& [name, tensor] : opt->state()) t.state[name] = tensor->clone();
  return t;
}

nlohmann::json config_json(const Config& c) {
  nlohmann::json j = nlohmann::json::object();
  for (const auto& [key, value] : c.items()) std::visit([&](const auto& v) { j[key] = v; }, value);
  return j;
}

// Schedules: our spec and PyTorch's scheduler for it.
struct ScheduleCase {
  std::string spec;
  nlohmann::json torch;
};

std::vector<ScheduleCase> schedule_cases() {
  const nlohmann::json cosine = {{"type", "cosine"}, {"t_max", 5}, {"eta_min", 0.001}};
  const nlohmann::json step2 = {{"type", "step"}, {"step_size", 2}, {"gamma", 0.5}};
  return {
      {"step:3:0.5", {{"type", "step"}, {"step_size", 3}, {"gamma", 0.5}}},
      {"step:2", {{"type", "step"}, {"step_size", 2}, {"gamma", 0.1}}},
      {"exp:0.9", {{"type", "exp"}, {"gamma", 0.9}}},
      {"cosine:5", {{"type", "cosine"}, {"t_max", 5}, {"eta_min", 0.0}}},
      {"cosine:5:0.001", cosine},
      {"warmup:3:0.25,cosine:5:0.001",
       {{"type", "warmup"}, {"warmup_epochs", 3}, {"start_factor", 0.25}, {"after", cosine}}},
      {"warmup:2,step:2:0.5",
       {{"type", "warmup"}, {"warmup_epochs", 2}, {"start_factor", 1.0 / 3.0}, {"after", step2}}},
      {"warmup:4",
       {{"type", "warmup"}, {"warmup_epochs", 4}, {"start_factor", 1.0 / 3.0}, {"after", nullptr}}},
  };
}

constexpr double kBaseLr = 0.1;
constexpr int kEpochs = 14;
const std::vector<double> kFractionalEpochs = {0.5, 1.25, 2.999, 3.0, 4.75, 7.3, 12.5};

// Clipping: (max_norm, whether layer "dense" is frozen).
const std::vector<std::pair<double, bool>> kClipCases = {{100.0, false}, {1.5, false}, {0.7, true}};

struct Reference {
  std::vector<OptimCase> optim = optim_cases();
  std::vector<ScheduleCase> schedules = schedule_cases();
  std::vector<std::vector<Tensor>> grads = make_grads();
  nlohmann::json optim_results, clip_results, schedule_results;
};

// All cases and torch's answers, computed once per test process.
const Reference& reference() {
  static const Reference ref = [] {
    Reference r;
    nlohmann::json cases = nlohmann::json::array();
    auto model = make_model();
    const std::vector<NamedParam> params = model->params();
    for (const OptimCase& c : r.optim) {
      nlohmann::json j = {
          {"kind", "optimizer"}, {"optimizer", c.optimizer}, {"options", config_json(c.options)}};
      for (const NamedParam& p : params) j["params"].push_back(to_json(*p.param.value));
      for (int s = 0; s < kSteps; ++s) {
        nlohmann::json step = nlohmann::json::array();
        for (size_t k = 0; k < params.size(); ++k) {
          const bool frozen = s < c.frozen_steps && params[k].layer->name() == "dense";
          step.push_back(frozen ? nlohmann::json(nullptr) : to_json(r.grads[s][k]));
        }
        j["grads"].push_back(step);
      }
      cases.push_back(j);
    }
    for (const auto& [max_norm, frozen] : kClipCases) {
      nlohmann::json j = {
          {"kind", "clip"}, {"max_norm", max_norm}, {"grads", nlohmann::json::array()}};
      for (size_t k = 0; k < params.size(); ++k)
        if (!frozen || params[k].layer->name() != "dense")
          j["grads"].push_back(to_json(r.grads[2][k]));
      cases.push_back(j);
    }
    for (const ScheduleCase& s : r.schedules)
      cases.push_back({{"kind", "schedule"},
                       {"schedule", s.torch},
                       {"base_lr", kBaseLr},
                       {"epochs", kEpochs},
                       {"fractional", kFractionalEpochs}});
    const nlohmann::json results =
        golden::run_script("optim_reference.py", {{"cases", cases}})["results"];
    size_t i = 0;
    for (; i < r.optim.size(); ++i) r.optim_results.push_back(results[i]);
    for (size_t k = 0; k < kClipCases.size(); ++k) r.clip_results.push_back(results[i++]);
    for (size_t k = 0; k < r.schedules.size(); ++k) r.schedule_results.push_back(results[i++]);
    return r;
  }();
  return ref;
}

// Each test runs torch once (ctest gives every test its own process): few tests, many cases,
// each failure traced with its case's label.
//
// Every optimizer case: the parameters after every step, and the final state with PyTorch's slots.
TEST(OptimVsTorch, Optimizers) {
  const Reference& ref = reference();
  const std::vector<NamedParam> params = make_model()->params();
  for (size_t i = 0; i < ref.optim.size(); ++i) {
    const OptimCase& c = ref.optim[i];
    SCOPED_TRACE(c.label);
    const Trajectory ours = run_ours(c, ref.grads);
    const nlohmann::json& want = ref.optim_results[i];
    for (int s = 0; s < kSteps; ++s)
      for (size_t k = 0; k < params.size(); ++k) {
        SCOPED_TRACE("step " + std::to_string(s + 1) + ", " + params[k].name);
        EXPECT_TRUE(all_close(ours.params[s][k], golden::tensor_from_json(want["params"][s][k]),
                              1e-6, 1e-7));
      }
    for (size_t k = 0; k < params.size(); ++k) {
      const std::string& name = params[k].name;
      size_t torch_slots = 0;
      for (const auto& [slot, value] : want["state"][k].items()) {
        SCOPED_TRACE(name + "." + slot);
        ASSERT_TRUE(ours.state.count(name + "." + slot)) << "missing state";
        const Tensor w = golden::tensor_from_json(value);
        EXPECT_TRUE(
            all_close(ours.state.at(name + "." + slot), w, 1e-6, 1e-6 * golden::max_abs(w)));
        torch_slots += slot != "step";
      }
      size_t our_slots = 0;
      for (const auto& [key, value] : ours.state)
        our_slots += key.rfind(name + ".", 0) == 0 && key != name + ".step";
      EXPECT_EQ(our_slots, torch_slots) << name << ": state slots other than PyTorch's";
    }
  }
}

TEST(OptimVsTorch, ClipGradNorm) {
  const Reference& ref = reference();
  for (size_t i = 0; i < kClipCases.size(); ++i) {
    const auto [max_norm, frozen] = kClipCases[i];
    SCOPED_TRACE("max_norm " + std::to_string(max_norm) + (frozen ? ", dense frozen" : ""));
    auto model = make_model();
    std::vector<NamedParam> params = model->params();
    model->layer("dense").set_trainable(!frozen);
    set_grads(params, ref.grads[2]);
    const double norm = clip_grad_norm(params, max_norm);
    const nlohmann::json& want = ref.clip_results[i];
    EXPECT_TRUE(golden::close(norm, want["norm"].get<double>(), 1e-6));
    size_t next = 0;
    for (size_t k = 0; k < params.size(); ++k) {
      SCOPED_TRACE(params[k].name);
      if (frozen && params[k].layer->name() == "dense") {
        EXPECT_TRUE(all_close(*params[k].param.grad, ref.grads[2][k], 0.0, 0.0))
            << "frozen grad changed";
        continue;
      }
      EXPECT_TRUE(all_close(*params[k].param.grad, golden::tensor_from_json(want["grads"][next++]),
                            1e-6, 1e-9));
    }
  }
}

TEST(OptimVsTorch, LRSchedules) {
  const Reference& ref = reference();
  for (size_t i = 0; i < ref.schedules.size(); ++i) {
    const std::string& spec = ref.schedules[i].spec;
    SCOPED_TRACE(spec);
    const auto schedule = make_schedule(spec);
    const nlohmann::json& want = ref.schedule_results[i];
    for (int e = 0; e < kEpochs; ++e)
      EXPECT_TRUE(golden::close(schedule->lr(e, kBaseLr), want["per_epoch"][e].get<double>(), 1e-9))
          << "epoch " << e;
    for (size_t k = 0; k < kFractionalEpochs.size(); ++k)
      EXPECT_TRUE(golden::close(schedule->lr(kFractionalEpochs[k], kBaseLr),
                                want["fractional"][k].get<double>(), 1e-9))
          << "epoch " << kFractionalEpochs[k];
    // name() is a spec that rebuilds the same schedule.
    const auto rebuilt = make_schedule(schedule->name());
    EXPECT_EQ(rebuilt->name(), schedule->name());
    for (double e : kFractionalEpochs) EXPECT_EQ(rebuilt->lr(e, kBaseLr), schedule->lr(e, kBaseLr));
  }
}

// The optimizers of the state tests: every slot kind.
std::unique_ptr<Optimizer> make_stateful(const std::string& which, std::vector<NamedParam> p) {
  if (which == "sgd")
    return std::make_unique<SGD>(p, SGDOptions{.lr = 0.1, .momentum = 0.9, .nesterov = true});
  if (which == "adam") return std::make_unique<Adam>(p, AdamOptions{.lr = 0.05, .amsgrad = true});
  if (which == "adamw") return std::make_unique<AdamW>(p, AdamWOptions{.lr = 0.05});
  return std::make_unique<RMSprop>(p,
                                   RMSpropOptions{.lr = 0.01, .momentum = 0.9, .centered = true});
}

TEST(Optimizer, FrozenLayerIsUntouched) {
  const auto grads = make_grads();
  for (const std::string which : {"sgd", "adam", "adamw", "rmsprop"}) {
    SCOPED_TRACE(which);
    auto model = make_model();
    std::vector<NamedParam> params = model->params();
    const Tensor frozen_before = model->layer("dense").params()[0].value->clone();
    const Tensor trained_before = model->layer("dense_1").params()[0].value->clone();
    model->layer("dense").set_trainable(false);
    const auto opt = make_stateful(which, params);
    for (int s = 0; s < kSteps; ++s) {
      set_grads(params, grads[s]);
      opt->step();
    }
    EXPECT_TRUE(all_close(*params[0].param.value, frozen_before, 0.0, 0.0));
    EXPECT_FALSE(all_close(*params[2].param.value, trained_before, 0.0, 0.0));
    for (auto& [name, tensor] : opt->state()) {
      const bool frozen = name.rfind("dense.", 0) == 0;
      if (name.ends_with(".step")) {
        EXPECT_EQ((*tensor)[0], frozen ? 0.0f : float(kSteps)) << name;
      } else if (frozen) {
        EXPECT_EQ(golden::max_abs(*tensor), 0.0f) << name;
      }
    }
    EXPECT_EQ(opt->iterations(), kSteps);
  }
}

TEST(Optimizer, SkipsStateBuffers) {
  auto model = make_model();
  std::vector<NamedParam> params = model->params();
  set_grads(params, make_grads()[0]);
  Tensor running_mean = Tensor::full({3}, 0.5f);
  params.push_back(
      {"dense_1.running_mean", {"running_mean", &running_mean, nullptr}, params[2].layer});
  SGD opt(params, {.lr = 0.1, .momentum = 0.9});
  opt.step();
  EXPECT_EQ(opt.params().size(), 4u);
  for (auto& [name, tensor] : opt.state()) EXPECT_EQ(name.find("running_mean"), std::string::npos);
  EXPECT_TRUE(all_close(running_mean, Tensor::full({3}, 0.5f), 0.0, 0.0));
}

// Checkpointing: copy the state of an optimizer after two steps into a new one, continue, and
// land exactly where an uninterrupted run does.
TEST(Optimizer, StateRoundTrip) {
  const auto grads = make_grads();
  for (const std::string which : {"sgd", "adam", "adamw", "rmsprop"}) {
    SCOPED_TRACE(which);
    auto straight = make_model();
    std::vector<NamedParam> straight_params = straight->params();
    const auto a = make_stateful(which, straight_params);
    for (int s = 0; s < kSteps; ++s) {
      set_grads(straight_params, grads[s]);
      a->step();
    }

    auto first = make_model();
    std::vector<NamedParam> first_params = first->params();
    const auto b = make_stateful(which, first_params);
    for (int s = 0; s < 2; ++s) {
      set_grads(first_params, grads[s]);
      b->step();
    }
    auto resumed = make_model(99);  // other initial values, overwritten by the checkpoint
    std::vector<NamedParam> resumed_params = resumed->params();
    for (size_t k = 0; k < resumed_params.size(); ++k)
      resumed_params[k].param.value->copy_from(*first_params[k].param.value);
    const auto c = make_stateful(which, resumed_params);
    const auto saved = b->state(), restored = c->state();
    ASSERT_EQ(saved.size(), restored.size());
    for (size_t i = 0; i < saved.size(); ++i) {
      ASSERT_EQ(saved[i].first, restored[i].first);
      restored[i].second->copy_from(*saved[i].second);
    }
    c->set_iterations(b->iterations());
    for (int s = 2; s < kSteps; ++s) {
      set_grads(resumed_params, grads[s]);
      c->step();
    }
    EXPECT_EQ(c->iterations(), a->iterations());
    for (size_t k = 0; k < resumed_params.size(); ++k)
      EXPECT_TRUE(
          all_close(*resumed_params[k].param.value, *straight_params[k].param.value, 0.0, 0.0))
          << resumed_params[k].name;
  }
}

TEST(Optimizer, ConfigRebuildsAndBadOptionsThrow) {
  auto model = make_model();
  for (const std::string which : {"sgd", "adam", "adamw", "rmsprop"}) {
    const auto opt = make_stateful(which, model->params());
    const auto rebuilt = make_optimizer(opt->type(), model->params(), opt->config());
    EXPECT_EQ(rebuilt->type(), opt->type());
    EXPECT_EQ(rebuilt->config(), opt->config());
  }
  EXPECT_EQ(make_optimizer("adamw", model->params())->config().get_float("weight_decay"), 0.01);
  EXPECT_EQ(make_optimizer("Adam", model->params())->config().get_float("weight_decay"), 0.0);
  EXPECT_THROW(make_optimizer("adagrad", model->params()), std::invalid_argument);
  EXPECT_THROW(make_optimizer("sgd", model->params(), Config().set("momentun", 0.9)),
               std::invalid_argument);
  EXPECT_THROW(SGD(model->params(), {.nesterov = true}), std::invalid_argument);
  EXPECT_THROW(SGD(model->params(), {.lr = -1.0}), std::invalid_argument);
  EXPECT_THROW(Adam(model->params(), {.beta2 = 1.0}), std::invalid_argument);
  EXPECT_THROW(RMSprop(model->params(), {.momentum = -0.1}), std::invalid_argument);
}

TEST(Optimizer, ZeroGradAndLearningRate) {
  auto model = make_model();
  std::vector<NamedParam> params = model->params();
  SGD opt(params, {.lr = 0.5});
  set_grads(params, make_grads()[0]);
  const Tensor before = params[0].param.value->clone();
  opt.set_lr(0.0);
  opt.step();
  EXPECT_TRUE(all_close(*params[0].param.value, before, 0.0, 0.0));
  EXPECT_EQ(opt.lr(), 0.0);
  EXPECT_EQ(opt.config().get_float("lr"), 0.5);
  opt.zero_grad();
  for (const NamedParam& p : params) EXPECT_EQ(golden::max_abs(*p.param.grad), 0.0f) << p.name;
  EXPECT_EQ(clip_grad_norm(params, 1.0), 0.0);
}

TEST(LRSchedule, SpecsAndErrors) {
  EXPECT_EQ(make_schedule("warmup:2,cosine:20")->name(), "warmup:2:0.3333333333333333,cosine:20");
  EXPECT_EQ(make_schedule("step:10")->name(), "step:10:0.1");
  EXPECT_EQ(LinearWarmup(2, std::make_unique<ExponentialLR>(0.5), 0.0).lr(1.0, 0.1), 0.05);
  for (const std::string bad :
       {"", "step", "step:0", "step:x", "cosine:5:1:2", "linear:3", "exp:0.9,cosine:3",
        "warmup:2,cosine:3,step:1", "warmup:2:2", "warmup:2,warmup:1", "cosine:5,"})
    EXPECT_THROW(make_schedule(bad), std::invalid_argument) << "'" << bad << "'";
}

}  // namespace
}  // namespace convnet
