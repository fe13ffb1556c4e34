// Threads: parallel_for's split, and results with 1 and 2 threads bit-identical (every parallel
// kernel splits work so that each output sums in the same order whatever the thread count): GEMM,
// the convolution and depthwise kernels on shapes large enough to split, every registry layer,
// fused MobileNet inference and a LeNet-5 training step.
#include <gtest/gtest.h>

#include <atomic>
#include <cstring>
#include <vector>

#include "convnet/loss.h"
#include "convnet/optim/sgd.h"
#include "convnet/threads.h"
#include "convnet/zoo.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/gemm.h"
#include "kernels/parallel.h"
#include "support/op_registry.h"
#include "train/step.h"

namespace convnet {
namespace {

using kernels::ConvGeom;

// Runs f with `threads` threads, restoring the previous count afterwards.
template <typename F>
auto with_threads(int threads, F&& f) {
  const int before = num_threads();
  set_num_threads(threads);
  auto result = f();
  set_num_threads(before);
  return result;
}

std::vector<float> random_vector(int64_t n, Rng& rng) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = rng.normal();
  return v;
}

::testing::AssertionResult bit_identical(const char* what, const std::vector<float>& a,
                                         const std::vector<float>& b) {
  if (a.size() != b.size()) return ::testing::AssertionFailure() << what << ": sizes differ";
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(float)) != 0)
      return ::testing::AssertionFailure()
             << what << "[" << i << "]: " << a[i] << " with 1 thread, " << b[i] << " with 2";
  return ::testing::AssertionSuccess();
}

std::vector<float> values(const Tensor& t) { return {t.begin(), t.end()}; }

TEST(Threads, SetNumThreadsRejectsZero) {
  EXPECT_THROW(set_num_threads(0), std::invalid_argument);
  EXPECT_GE(num_threads(), 1);
}

TEST(Threads, ParallelForCoversEachItemOnce) {
  for (const int threads : {1, 2, 3}) {
    for (const int64_t n : {0, 1, 7, 100, 1001}) {
      std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
      std::atomic<int> calls = 0;
      with_threads(threads, [&] {
        kernels::parallel_for(n, 3, [&](int64_t b, int64_t e) {
          ++calls;
          // A nested loop runs inline on the calling thread.
          kernels::parallel_for(e - b, 1, [&](int64_t b2, int64_t e2) {
            EXPECT_TRUE(kernels::in_parallel() || threads == 1 || n < 6);
            for (int64_t i = b + b2; i < b + e2; ++i) ++hits[size_t(i)];
          });
        });
        return 0;
      });
      for (int64_t i = 0; i < n; ++i) ASSERT_EQ(hits[size_t(i)], 1) << "item " << i << " of " << n;
      EXPECT_LE(calls, threads);
    }
  }
}

TEST(Threads, GemmBitIdenticalOn1And2Threads) {
  Rng rng(3);
  struct Case { bool ta, tb; int64_t M, N, K; };
  for (const Case c : {Case{false, false, 64, 3136, 576}, Case{true, false, 300, 97, 700},
                       Case{false, true, 130, 520, 333}, Case{true, true, 77, 1000, 129}}) {
    const auto A = random_vector(c.M * c.K, rng), B = random_vector(c.K * c.N, rng);
    const auto C0 = random_vector(c.M * c.N, rng);
    auto run = [&](int threads) {
      return with_threads(threads, [&] {
        auto C = C0;
        kernels::gemm(c.ta, c.tb, c.M, c.N, c.K, 0.5f, A.data(), c.ta ? c.M : c.K, B.data(),
                      c.tb ? c.K : c.N, 1.0f, C.data(), c.N);
        return C;
      });
    };
    EXPECT_TRUE(bit_identical("C", run(1), run(2))) << c.M << "x" << c.N << "x" << c.K;
  }
}

// Several chunks of a batch, one image split inside (im2col by channels, GEMM by columns), the
// 1x1 path, strides, groups and padding; LeNet-5's layers on the direct kernels, whose
// backward-weights sums chunks of images (a batch of 64, and one that ends in a partial chunk).
TEST(Threads, ConvKernelsBitIdenticalOn1And2Threads) {
  const std::vector<ConvGeom> geoms = {
      {.N = 64, .IC = 1, .IH = 28, .IW = 28, .OC = 6, .KH = 5, .KW = 5, .PT = 2, .PL = 2,
       .OH = 28, .OW = 28},
      {.N = 19, .IC = 6, .IH = 14, .IW = 14, .OC = 16, .KH = 5, .KW = 5, .OH = 10, .OW = 10},
      {.N = 8, .IC = 16, .IH = 20, .IW = 20, .OC = 32, .KH = 3, .KW = 3, .PT = 1, .PL = 1,
       .OH = 20, .OW = 20},
      {.N = 1, .IC = 64, .IH = 56, .IW = 56, .OC = 64, .KH = 3, .KW = 3, .PT = 1, .PL = 1,
       .OH = 56, .OW = 56},
      {.N = 4, .IC = 32, .IH = 28, .IW = 28, .OC = 48, .OH = 28, .OW = 28},
      {.N = 5, .IC = 6, .IH = 31, .IW = 29, .OC = 10, .KH = 5, .KW = 5, .SH = 2, .SW = 2,
       .PT = 2, .PL = 1, .OH = 16, .OW = 14, .G = 2},
  };
  Rng rng(5);
  for (const ConvGeom& g : geoms) {
    SCOPED_TRACE("N=" + std::to_string(g.N) + " IC=" + std::to_string(g.IC));
    const auto src = random_vector(g.N * g.IC * g.IH * g.IW, rng);
    const auto w = random_vector(g.OC * g.IC / g.G * g.KH * g.KW, rng);
    const auto bias = random_vector(g.OC, rng);
    const auto dd = random_vector(g.N * g.OC * g.OH * g.OW, rng);
    auto run = [&](int threads) {
      return with_threads(threads, [&] {
        std::vector<float> dst(dd.size()), ds(src.size()), dw(w.size(), 0.25f), db(bias.size());
        kernels::conv2d_forward(g, src.data(), w.data(), bias.data(), dst.data());
        kernels::conv2d_backward_data(g, dd.data(), w.data(), ds.data());
        kernels::conv2d_backward_weights(g, src.data(), dd.data(), dw.data(), db.data());
        return std::vector<std::vector<float>>{dst, ds, dw, db};
      });
    };
    const auto one = run(1), two = run(2);
    EXPECT_TRUE(bit_identical("dst", one[0], two[0]));
    EXPECT_TRUE(bit_identical("diff_src", one[1], two[1]));
    EXPECT_TRUE(bit_identical("diff_weights", one[2], two[2]));
    EXPECT_TRUE(bit_identical("diff_bias", one[3], two[3]));
  }
}

// The depthwise kernels: the 3x3 paths at strides 1 and 2 (forward with a folded batch norm and
// ReLU6, backward data by the flipped filter) and the generic path (5x5, two filters per channel).
TEST(Threads, DepthwiseKernelsBitIdenticalOn1And2Threads) {
  const std::vector<ConvGeom> geoms = {
      {.N = 2, .IC = 32, .IH = 56, .IW = 56, .OC = 32, .KH = 3, .KW = 3, .PT = 1, .PL = 1,
       .OH = 56, .OW = 56},
      {.N = 3, .IC = 24, .IH = 29, .IW = 29, .OC = 24, .KH = 3, .KW = 3, .SH = 2, .SW = 2,
       .OH = 14, .OW = 14},
      {.N = 2, .IC = 16, .IH = 33, .IW = 31, .OC = 32, .KH = 5, .KW = 5, .PT = 2, .PL = 2,
       .OH = 33, .OW = 31},
  };
  Rng rng(6);
  for (const ConvGeom& g : geoms) {
    SCOPED_TRACE("IC=" + std::to_string(g.IC) + " KH=" + std::to_string(g.KH));
    const auto src = random_vector(g.N * g.IC * g.IH * g.IW, rng);
    const auto w = random_vector(g.OC * g.KH * g.KW, rng);
    const auto scale = random_vector(g.OC, rng), shift = random_vector(g.OC, rng);
    const auto dd = random_vector(g.N * g.OC * g.OH * g.OW, rng);
    auto run = [&](int threads) {
      return with_threads(threads, [&] {
        std::vector<float> dst(dd.size()), ds(src.size()), dw(w.size(), 0.25f), db(g.OC);
        kernels::depthwise_conv2d_forward(
            g, src.data(), w.data(),
            kernels::Epilogue{.scale = scale.data(), .shift = shift.data(),
                              .act = Activation::relu6},
            dst.data());
        kernels::depthwise_conv2d_backward_data(g, dd.data(), w.data(), ds.data());
        kernels::depthwise_conv2d_backward_weights(g, src.data(), dd.data(), dw.data(),
                                                   db.data());
        return std::vector<std::vector<float>>{dst, ds, dw, db};
      });
    };
    const auto one = run(1), two = run(2);
    EXPECT_TRUE(bit_identical("dst", one[0], two[0]));
    EXPECT_TRUE(bit_identical("diff_src", one[1], two[1]));
    EXPECT_TRUE(bit_identical("diff_weights", one[2], two[2]));
    EXPECT_TRUE(bit_identical("diff_bias", one[3], two[3]));
  }
}

// MobileNet inference with its convolutions, batch norms and ReLU6 fused.
TEST(Threads, FusedMobileNetInferenceBitIdenticalOn1And2Threads) {
  auto model = zoo::mobilenet({.input_shape = {3, 64, 64}, .classes = 10, .seed = 2});
  Rng rng(8);
  Tensor x({2, 3, 64, 64});
  for (float& v : x) v = rng.normal();
  auto run = [&](int threads) {
    return with_threads(threads, [&] { return values(model->forward(x, Mode::eval)); });
  };
  EXPECT_TRUE(bit_identical("y", run(1), run(2)));
}

// Every op of the registry, at sizes past the kernels' splitting thresholds.
TEST(Threads, EveryRegistryLayerBitIdenticalOn1And2Threads) {
  for (const std::string& op : test::op_names()) {
    for (const test::OpCase& c :
         test::op_cases(op, 6, 11, {.max_batch = 8, .max_input_numel = 60000})) {
      if (c.stochastic) continue;
      SCOPED_TRACE(c.label);
      auto run = [&](int threads) {
        return with_threads(threads, [&] {
          Rng rng(9);
          test::OpInstance inst = test::instantiate(c, rng);
          const Tensor y = inst.layer->forward(inst.x, Mode::train);
          Tensor dy(y.shape());
          for (float& v : dy) v = rng.normal();
          std::vector<std::vector<float>> out{values(y), values(inst.layer->backward(dy))};
          for (const Param& p : inst.layer->params())
            if (p.grad) out.push_back(values(*p.grad));
          return out;
        });
      };
      const auto one = run(1), two = run(2);
      ASSERT_EQ(one.size(), two.size());
      for (size_t i = 0; i < one.size(); ++i)
        EXPECT_TRUE(bit_identical(i == 0 ? "y" : i == 1 ? "dx" : "param grad", one[i], two[i]));
    }
  }
}

TEST(Threads, LeNet5TrainingStepsBitIdenticalOn1And2Threads) {
  auto run = [](int threads) {
    return with_threads(threads, [] {
      auto model = zoo::lenet5({.seed = 4});
      SoftmaxCrossEntropy loss;
      SGD sgd(model->params(), {.lr = 0.05, .momentum = 0.9});
      Rng rng(2);
      Batch batch;
      batch.images = Tensor({64, 1, 28, 28});
      for (float& v : batch.images) v = rng.uniform();
      for (int i = 0; i < 64; ++i) batch.labels.push_back(int32_t(rng.below(10)));
      for (int step = 0; step < 3; ++step) train_step(*model, loss, sgd, batch, 0.0);
      std::vector<std::vector<float>> out;
      for (const NamedParam& p : model->params()) out.push_back(values(*p.param.value));
      return out;
    });
  };
  const auto one = run(1), two = run(2);
  ASSERT_EQ(one.size(), two.size());
  for (size_t i = 0; i < one.size(); ++i) EXPECT_TRUE(bit_identical("parameter", one[i], two[i]));
}

}  // namespace
}  // namespace convnet
