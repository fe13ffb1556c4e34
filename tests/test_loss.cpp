// Losses against PyTorch (float64 autograd on the same float32 inputs, tests/golden/
// optim_reference.py): value and gradient of each loss, with and without label smoothing, class
// indices and distributions as targets, per-pixel logits, and logits of 1e4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>

#include "convnet/loss.h"
#include "kernels/activation.h"
#include "support/python_golden.h"

namespace convnet {
namespace {

using golden::all_close;
using golden::random_normal;
using golden::to_json;

// One loss evaluation; `run` computes our value and gradient for (y, target).
struct LossCase {
  std::string label, loss;  // loss: the reference's name for it
  Tensor y, target;
  bool target_is_index = false;
  float label_smoothing = 0.0f;
  bool from_logits = true;
  std::function<double(const LossCase&, Tensor* grad)> run;
};

double run_loss(Loss& loss, const LossCase& c, Tensor* grad) {
  const double value = loss.forward(c.y, c.target);
  *grad = loss.backward();
  return value;
}

// The model's softmax applied to the logits y, then the cross-entropy from those probabilities.
double run_from_probs(const LossCase& c, Tensor* grad) {
  Tensor probs(c.y.shape());
  const int64_t N = c.y.dim(0), C = c.y.dim(1), inner = c.y.numel() / (N * C);
  kernels::softmax_forward(c.y.data(), probs.data(), N, C, inner);
  return cross_entropy_from_probs(probs, c.target, c.label_smoothing, grad);
}

Tensor class_indices(Shape shape, int64_t C, Rng& rng) {
  Tensor t(std::move(shape));
  for (float& v : t) v = float(rng.below(uint64_t(C)));
  return t;
}

// Rows of probabilities over axis 1 of `shape`.
Tensor distributions(const Shape& shape, Rng& rng) {
  Tensor logits = random_normal(shape, rng, 2.0f), p(shape);
  const int64_t N = shape[0], C = shape[1], inner = p.numel() / (N * C);
  kernels::softmax_forward(logits.data(), p.data(), N, C, inner);
  return p;
}

Tensor uniform(Shape shape, Rng& rng, float lo, float hi) {
  Tensor t(std::move(shape));
  for (float& v : t) v = rng.uniform(lo, hi);
  return t;
}

std::vector<LossCase> make_cases() {
  Rng rng(20240601);
  std::vector<LossCase> cases;
  const auto softmax_ce = [](float eps) {
    return [eps](const LossCase& c, Tensor* g) {
      SoftmaxCrossEntropy loss({.label_smoothing = eps});
      return run_loss(loss, c, g);
    };
  };
  const auto add = [&](std::string label, std::string loss, Tensor y, Tensor target, bool index,
                       float eps, auto run) {
    cases.push_back({std::move(label), std::move(loss), std::move(y), std::move(target), index, eps,
                     true, run});
  };
  const std::string sce = "softmax_cross_entropy";
  add("sce indices", sce, random_normal({8, 5}, rng, 2.0f), class_indices({8}, 5, rng), true, 0.0f,
      softmax_ce(0.0f));
  add("sce indices smoothed", sce, random_normal({8, 5}, rng, 2.0f), class_indices({8}, 5, rng),
      true, 0.2f, softmax_ce(0.2f));
  add("sce indices [N, 1]", sce, random_normal({6, 4}, rng), class_indices({6, 1}, 4, rng), true,
      0.0f, softmax_ce(0.0f));
  add("sce probabilities smoothed", sce, random_normal({8, 5}, rng), distributions({8, 5}, rng),
      false, 0.1f, softmax_ce(0.1f));
  add("sce per-pixel indices", sce, random_normal({2, 4, 3, 3}, rng),
      class_indices({2, 3, 3}, 4, rng), true, 0.0f, softmax_ce(0.0f));
  add("sce per-pixel probabilities smoothed", sce, random_normal({2, 4, 3, 3}, rng),
      distributions({2, 4, 3, 3}, rng), false, 0.1f, softmax_ce(0.1f));
  add("sce logits 1e4", sce, random_normal({6, 5}, rng, 1e4f), class_indices({6}, 5, rng), true,
      0.0f, softmax_ce(0.0f));
  add("sce logits 1e4 smoothed", sce, random_normal({6, 5}, rng, 1e4f), class_indices({6}, 5, rng),
      true, 0.1f, softmax_ce(0.1f));

  const std::string cce = "categorical_crossentropy";
  const auto categorical = [](float eps) {
    return [eps](const LossCase& c, Tensor* g) {
      CategoricalCrossEntropy loss({.label_smoothing = eps});
      return run_loss(loss, c, g);
    };
  };
  add("cce indices", cce, distributions({8, 5}, rng), class_indices({8}, 5, rng), true, 0.0f,
      categorical(0.0f));
  add("cce probabilities smoothed", cce, distributions({8, 5}, rng), distributions({8, 5}, rng),
      false, 0.1f, categorical(0.1f));
  // Unnormalized scores (normalized by the loss) with exact 0s and 1s (clipped).
  Tensor scores = uniform({6, 4}, rng, 0.05f, 2.0f);
  for (int64_t c = 0; c < 4; ++c) scores.at(0, c) = c == 2 ? 1.0f : 0.0f;
  scores.at(1, 3) = 0.0f;
  Tensor score_labels = class_indices({6}, 4, rng);
  score_labels[0] = 2.0f;
  score_labels[1] = 3.0f;
  add("cce clipped unnormalized", cce, scores, score_labels, true, 0.0f, categorical(0.0f));
  add("cce clipped unnormalized smoothed", cce, scores, score_labels, true, 0.3f,
      categorical(0.3f));
  add("cce per-pixel", cce, distributions({2, 3, 2, 2}, rng), class_indices({2, 2, 2}, 3, rng),
      true, 0.0f, categorical(0.0f));

  const std::string bce = "binary_crossentropy";
  const auto binary = [](bool from_logits, float eps) {
    return [=](const LossCase& c, Tensor* g) {
      BinaryCrossEntropy loss({.from_logits = from_logits, .label_smoothing = eps});
      return run_loss(loss, c, g);
    };
  };
  add("bce logits", bce, random_normal({6, 3}, rng, 2.0f), uniform({6, 3}, rng, 0, 1), false, 0.0f,
      binary(true, 0.0f));
  add("bce logits smoothed", bce, random_normal({4, 2, 2, 2}, rng, 2.0f),
      uniform({4, 2, 2, 2}, rng, 0, 1), false, 0.1f, binary(true, 0.1f));
  add("bce logits 1e4", bce, random_normal({5, 2}, rng, 1e4f), uniform({5, 2}, rng, 0, 1), false,
      0.0f, binary(true, 0.0f));
  Tensor probs = uniform({6, 3}, rng, 0.01f, 0.99f);
  probs[0] = 0.0f;
  probs[1] = 1.0f;
  Tensor binary_targets = uniform({6, 3}, rng, 0, 1);
  add("bce probabilities clipped", bce, probs, binary_targets, false, 0.0f, binary(false, 0.0f));
  cases.back().from_logits = false;
  add("bce probabilities smoothed", bce, probs, binary_targets, false, 0.2f, binary(false, 0.2f));
  cases.back().from_logits = false;

  const auto mse = [](const LossCase& c, Tensor* g) {
    MeanSquaredError loss;
    return run_loss(loss, c, g);
  };
  add("mse", "mse", random_normal({5, 4}, rng), random_normal({5, 4}, rng), false, 0.0f, mse);
  add("mse images", "mse", random_normal({2, 3, 2, 2}, rng), random_normal({2, 3, 2, 2}, rng),
      false, 0.0f, mse);

  // cross_entropy_from_probs against the cross-entropy of the logits that made the probabilities.
  add("from probs indices", "from_probs " + sce, random_normal({8, 5}, rng, 2.0f),
      class_indices({8}, 5, rng), true, 0.0f, run_from_probs);
  add("from probs smoothed", "from_probs " + sce, random_normal({8, 5}, rng, 2.0f),
      distributions({8, 5}, rng), false, 0.1f, run_from_probs);
  add("from probs per-pixel", "from_probs " + sce, random_normal({2, 4, 3, 3}, rng, 2.0f),
      class_indices({2, 3, 3}, 4, rng), true, 0.1f, run_from_probs);
  add("from probs logits 30", "from_probs " + sce, random_normal({6, 5}, rng, 30.0f),
      class_indices({6}, 5, rng), true, 0.0f, run_from_probs);
  return cases;
}

struct Reference {
  std::vector<LossCase> cases = make_cases();
  nlohmann::json results;
};

// All cases and torch's answers, computed once per test process.
const Reference& reference() {
  static const Reference ref = [] {
    Reference r;
    nlohmann::json request;
    for (const LossCase& c : r.cases) {
      std::string loss = c.loss;
      if (loss.rfind("from_probs ", 0) == 0) loss = loss.substr(11);
      request["cases"].push_back({{"kind", "loss"},
                                  {"loss", loss},
                                  {"y", to_json(c.y)},
                                  {"target", to_json(c.target)},
                                  {"target_is_index", c.target_is_index},
                                  {"label_smoothing", c.label_smoothing},
                                  {"from_logits", c.from_logits}});
    }
    r.results = golden::run_script("optim_reference.py", request)["results"];
    return r;
  }();
  return ref;
}

// Checks every case of the given losses against torch.
void check_against_torch(const std::vector<std::string>& losses) {
  const Reference& ref = reference();
  int checked = 0;
  for (size_t i = 0; i < ref.cases.size(); ++i) {
    const LossCase& c = ref.cases[i];
    if (std::find(losses.begin(), losses.end(), c.loss) == losses.end()) continue;
    SCOPED_TRACE(c.label);
    Tensor grad;
    const double value = c.run(c, &grad);
    const Tensor want_grad = golden::tensor_from_json(ref.results[i]["grad"]);
    EXPECT_TRUE(std::isfinite(value));
    EXPECT_TRUE(golden::close(value, ref.results[i]["value"].get<double>(), 1e-6));
    EXPECT_TRUE(all_close(grad, want_grad, 1e-6, 1e-9 * golden::max_abs(want_grad)));
    ++checked;
  }
  EXPECT_GT(checked, 0) << "no case";
}

// Each test runs torch once (ctest gives every test its own process): few tests, many cases.
TEST(LossVsTorch, CrossEntropies) {
  check_against_torch(
      {"softmax_cross_entropy", "categorical_crossentropy", "from_probs softmax_cross_entropy"});
}
TEST(LossVsTorch, BinaryCrossEntropyAndMeanSquaredError) {
  check_against_torch({"binary_crossentropy", "mse"});
}

TEST(Loss, MakeLossRebuildsFromNameAndConfig) {
  const std::vector<std::unique_ptr<Loss>> losses = [] {
    std::vector<std::unique_ptr<Loss>> v;
    v.push_back(
        std::make_unique<SoftmaxCrossEntropy>(CrossEntropyOptions{.label_smoothing = 0.1f}));
    v.push_back(std::make_unique<CategoricalCrossEntropy>());
    v.push_back(
        std::make_unique<BinaryCrossEntropy>(BinaryCrossEntropyOptions{.from_logits = false}));
    v.push_back(std::make_unique<MeanSquaredError>());
    return v;
  }();
  Rng rng(3);
  const Tensor y = distributions({4, 3}, rng), target = distributions({4, 3}, rng);
  for (const auto& loss : losses) {
    SCOPED_TRACE(loss->name());
    const auto rebuilt = make_loss(loss->name(), loss->config());
    EXPECT_EQ(rebuilt->name(), loss->name());
    EXPECT_EQ(rebuilt->config(), loss->config());
    EXPECT_EQ(rebuilt->forward(y, target), loss->forward(y, target));
  }
  EXPECT_THROW(make_loss("hinge"), std::invalid_argument);
  EXPECT_THROW(make_loss("mse", Config().set("label_smoothing", 0.1)), std::invalid_argument);
  EXPECT_THROW(make_loss("softmax_cross_entropy", Config().set("label_smothing", 0.1)),
               std::invalid_argument);
}

TEST(Loss, RejectsTargetsThatDoNotFit) {
  SoftmaxCrossEntropy ce;
  EXPECT_THROW(ce.backward(), std::logic_error);
  const Tensor y({4, 3});
  EXPECT_THROW(ce.forward(y, Tensor::from({4}, {0, 1, 3, 2})), std::invalid_argument);  // 3 >= C
  EXPECT_THROW(ce.forward(y, Tensor::from({4}, {0, 1, 0.5f, 2})), std::invalid_argument);
  EXPECT_THROW(ce.forward(y, Tensor::from({4}, {0, -1, 0, 2})), std::invalid_argument);
  EXPECT_THROW(ce.forward(y, Tensor({3})), std::invalid_argument);
  EXPECT_THROW(ce.forward(y, Tensor({4, 2})), std::invalid_argument);
  EXPECT_THROW(ce.forward(Tensor({4}), Tensor({4})), std::invalid_argument);
  EXPECT_THROW(SoftmaxCrossEntropy({.label_smoothing = 1.5f}), std::invalid_argument);
  EXPECT_THROW(MeanSquaredError().forward(y, Tensor({4, 4})), std::invalid_argument);
  EXPECT_NO_THROW(MeanSquaredError().forward(Tensor({4, 1}), Tensor({4})));
}

}  // namespace
}  // namespace convnet
