// Google Benchmark micro-benchmarks of the kernels at real layer shapes of the zoo (VGG-16,
// ResNet-50, MobileNet v1, LeNet-5), reporting GFLOP/s (2 FLOPs per multiply-add of a direct
// convolution). Built only when Debian's libbenchmark-dev is installed; not part of ctest:
//   build/bench/convnet_kernels_bench [--benchmark_filter=vgg16]
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "convnet/random.h"
#include "convnet/threads.h"
#include "kernels/conv2d.h"
#include "kernels/depthwise_conv2d.h"
#include "kernels/gemm.h"
#include "kernels/winograd.h"

namespace convnet {
namespace {

using kernels::ConvGeom;

struct Shape2 {
  const char* name;
  ConvGeom g;
};

// 'same' 3x3 or 1x1 convolutions, stride 1 unless said.
ConvGeom conv(int64_t N, int64_t IC, int64_t HW, int64_t OC, int64_t K, int64_t S = 1,
              int64_t G = 1) {
  const int64_t pad = K / 2, out = (HW + 2 * pad - K) / S + 1;
  return {.N = N, .IC = IC, .IH = HW, .IW = HW, .OC = OC, .KH = K, .KW = K, .SH = S, .SW = S,
          .PT = pad, .PL = pad, .OH = out, .OW = out, .G = G};
}

const std::vector<Shape2>& conv_shapes() {
  static const std::vector<Shape2> shapes = {
      {"vgg16/conv1_1 b1", conv(1, 3, 224, 64, 3)},
      {"vgg16/conv1_2 b1", conv(1, 64, 224, 64, 3)},
      {"vgg16/conv2_2 b1", conv(1, 128, 112, 128, 3)},
      {"vgg16/conv3_2 b1", conv(1, 256, 56, 256, 3)},
      {"vgg16/conv4_2 b1", conv(1, 512, 28, 512, 3)},
      {"vgg16/conv5_1 b1", conv(1, 512, 14, 512, 3)},
      {"resnet50/layer1.0.conv2 b1", conv(1, 64, 56, 64, 3)},
      {"resnet50/layer3.0.conv2 b1", conv(1, 256, 14, 256, 3)},
      {"resnet50/layer4.0.conv2 b1", conv(1, 512, 7, 512, 3)},
      {"vgg11-32px/features.8 b64", conv(64, 256, 8, 256, 3)},
      {"vgg11-32px/features.13 b64", conv(64, 512, 4, 512, 3)},
      {"vgg11-32px/features.18 b64", conv(64, 512, 2, 512, 3)},
      {"cifar/16ch 32px b1", conv(1, 16, 32, 16, 3)},
      {"cifar/8ch 32px b8", conv(8, 8, 32, 8, 3)},
      {"cifar/3-to-32ch 32px b8", conv(8, 3, 32, 32, 3)},
      {"cifar/32-to-4ch 32px b8", conv(8, 32, 32, 4, 3)},
      {"cifar/32ch 32px b8", conv(8, 32, 32, 32, 3)},
      {"resnet50/layer3.0.conv1 1x1 b1", conv(1, 512, 28, 256, 1)},
      {"mobilenet/conv_pw_13 1x1 b1", conv(1, 1024, 7, 1024, 1)},
      {"lenet5/conv2d_1 b64", {.N = 64, .IC = 6, .IH = 14, .IW = 14, .OC = 16, .KH = 5, .KW = 5,
                               .OH = 10, .OW = 10}},
  };
  return shapes;
}

const std::vector<Shape2>& depthwise_shapes() {
  static const std::vector<Shape2> shapes = {
      {"mobilenet/conv_dw_1 b1", conv(1, 32, 112, 32, 3, 1, 32)},
      {"mobilenet/conv_dw_2 s2 b1", conv(1, 64, 112, 64, 3, 2, 64)},
      {"mobilenet/conv_dw_6 b1", conv(1, 256, 28, 256, 3, 1, 256)},
      {"mobilenet/conv_dw_7 b1", conv(1, 512, 14, 512, 3, 1, 512)},
      {"mobilenet/conv_dw_13 b1", conv(1, 1024, 7, 1024, 3, 1, 1024)},
      {"mobilenet/conv_dw_1 b32", conv(32, 32, 112, 32, 3, 1, 32)},
      {"mobilenet/conv_dw_12 b32", conv(32, 512, 14, 512, 3, 1, 512)},
  };
  return shapes;
}

std::vector<float> random_vector(int64_t n) {
  Rng rng(1);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = rng.uniform(-1.0f, 1.0f);
  return v;
}

enum class Pass { forward, backward_data, backward_weights };

template <bool Depthwise>
void bm_conv(benchmark::State& state, const ConvGeom& g, Pass pass,
             kernels::ConvAlgo algo = kernels::ConvAlgo::automatic) {
  kernels::set_conv_algo(algo);
  const auto src = random_vector(g.N * g.IC * g.IH * g.IW);
  const auto w = random_vector(g.OC * g.IC / g.G * g.KH * g.KW);
  const auto bias = random_vector(g.OC);
  auto dst = random_vector(g.N * g.OC * g.OH * g.OW), ds = src, dw = w, db = bias;
  for (auto _ : state) {
    switch (pass) {
      case Pass::forward:
        if constexpr (Depthwise)
          kernels::depthwise_conv2d_forward(g, src.data(), w.data(), bias.data(), dst.data());
        else
          kernels::conv2d_forward(g, src.data(), w.data(), bias.data(), dst.data());
        break;
      case Pass::backward_data:
        (Depthwise ? kernels::depthwise_conv2d_backward_data : kernels::conv2d_backward_data)(
            g, dst.data(), w.data(), ds.data());
        break;
      case Pass::backward_weights:
        (Depthwise ? kernels::depthwise_conv2d_backward_weights
                   : kernels::conv2d_backward_weights)(g, src.data(), dst.data(), dw.data(),
                                                       db.data());
        break;
    }
    benchmark::ClobberMemory();
  }
  const double macs = double(g.N * g.OC * g.OH * g.OW) * double(g.IC / g.G * g.KH * g.KW);
  state.counters["GFLOP/s"] =
      benchmark::Counter(2.0 * macs * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["threads"] = num_threads();
  kernels::set_conv_algo(kernels::ConvAlgo::automatic);
}

void bm_gemm(benchmark::State& state, int64_t M, int64_t N, int64_t K) {
  const auto A = random_vector(M * K), B = random_vector(K * N);
  auto C = random_vector(M * N);
  for (auto _ : state) {
    kernels::gemm(false, false, M, N, K, 1.0f, A.data(), K, B.data(), N, 0.0f, C.data(), N);
    benchmark::ClobberMemory();
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * double(M * N * K) * 1e-9,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}

int register_all() {
  const std::pair<Pass, const char*> passes[] = {{Pass::forward, "fwd"},
                                                 {Pass::backward_data, "bwd_data"},
                                                 {Pass::backward_weights, "bwd_weights"}};
  for (const auto& [pass, pass_name] : passes) {
    for (const Shape2& s : conv_shapes())
      benchmark::RegisterBenchmark((std::string("conv2d/") + pass_name + "/" + s.name).c_str(),
                                   [g = s.g, pass = pass](benchmark::State& st) {
                                     bm_conv<false>(st, g, pass);
                                   })->Unit(benchmark::kMillisecond)->UseRealTime();
    // 3x3 stride-1 shapes once more with each algorithm forced (GFLOP/s still counts the direct
    // convolution's FLOPs, so Winograd can pass the machine's peak).
    for (const Shape2& s : conv_shapes()) {
      if (!kernels::winograd_supports(s.g)) continue;
      for (const auto& [algo, algo_name] :
           {std::pair{kernels::ConvAlgo::gemm, "gemm"}, {kernels::ConvAlgo::winograd, "winograd"}})
        benchmark::RegisterBenchmark(
            (std::string("conv2d-") + algo_name + "/" + pass_name + "/" + s.name).c_str(),
            [g = s.g, pass = pass, algo = algo](benchmark::State& st) {
              bm_conv<false>(st, g, pass, algo);
            })->Unit(benchmark::kMillisecond)->UseRealTime();
    }
    for (const Shape2& s : depthwise_shapes())
      benchmark::RegisterBenchmark((std::string("depthwise/") + pass_name + "/" + s.name).c_str(),
                                   [g = s.g, pass = pass](benchmark::State& st) {
                                     bm_conv<true>(st, g, pass);
                                   })->Unit(benchmark::kMillisecond)->UseRealTime();
  }
  // The sgemm ceiling the targets are relative to: conv-shaped and square.
  benchmark::RegisterBenchmark("gemm/64x3136x576", [](benchmark::State& st) {
    bm_gemm(st, 64, 3136, 576);
  })->Unit(benchmark::kMillisecond)->UseRealTime();
  benchmark::RegisterBenchmark("gemm/1024x1024x1024", [](benchmark::State& st) {
    bm_gemm(st, 1024, 1024, 1024);
  })->Unit(benchmark::kMillisecond)->UseRealTime();
  return 0;
}
const int registered = register_all();

}  // namespace
}  // namespace convnet

BENCHMARK_MAIN();
