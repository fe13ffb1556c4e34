// run_benchmark: warm-up, timed runs, statistics, and the per-layer clock.
#include "convnet/benchmark.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "bench/layer_timer.h"
#include "convnet/loss.h"
#include "convnet/optim/sgd.h"
#include "convnet/threads.h"
#include "train/step.h"

namespace convnet {
namespace {

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const size_t m = v.size() / 2;
  return v.size() % 2 ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

Batch random_batch(const Model& model, int64_t n, int64_t classes, uint64_t seed) {
  Rng rng(seed);
  Batch b;
  b.images = Tensor(model.input_shape().with_batch(n));
  for (float& v : b.images) v = rng.uniform(-1.0f, 1.0f);
  for (int64_t i = 0; i < n; ++i) b.labels.push_back(int32_t(rng.below(uint64_t(classes))));
  return b;
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return double(u.ru_maxrss) / 1024.0;  // Linux reports KiB
}

BenchmarkResult run_benchmark(Model& model, const BenchmarkOptions& o) {
  if (o.batch < 1) throw std::invalid_argument("benchmark: batch must be >= 1, got " + std::to_string(o.batch));
  const Shape out = model.output_shape();
  if (o.train && out.rank() != 1)
    throw std::invalid_argument("benchmark --train: the model's output " + out.str() +
                                " is not class scores [C]");
  const Batch batch = random_batch(model, o.batch, o.train ? out[0] : 1, o.seed);
  SoftmaxCrossEntropy loss;
  SGD sgd(model.params(), {.lr = 1e-4, .momentum = 0.9});
  auto run_once = [&] {
    if (o.train)
      train_step(model, loss, sgd, batch, 0.0);
    else
      model.forward(batch.images, Mode::eval);
  };

  BenchmarkResult r;
  r.model = model.name();
  r.input_shape = model.input_shape();
  r.batch = o.batch;
  r.train = o.train;
  r.threads = num_threads();
  r.macs_per_image = model.summary_info().total_macs;
  for (int64_t i = 0; i < o.warmup; ++i) run_once();

  std::vector<Layer*> layers = model.layers();
  std::vector<std::vector<double>> fwd(layers.size()), bwd(layers.size());
  bench::LayerClock clock;
  const auto start = std::chrono::steady_clock::now();
  while (int64_t(r.run_ms.size()) < o.max_runs &&
         (int64_t(r.run_ms.size()) < o.min_runs || ms_since(start) < 1000.0 * o.min_seconds)) {
    if (o.layers) {
      clock = {};
      bench::active_layer_clock() = &clock;
    }
    const auto t0 = std::chrono::steady_clock::now();
    run_once();
    r.run_ms.push_back(ms_since(t0));
    bench::active_layer_clock() = nullptr;
    if (o.layers)
      for (size_t i = 0; i < layers.size(); ++i) {
        fwd[i].push_back(1000.0 * clock.forward_s[layers[i]]);
        bwd[i].push_back(1000.0 * clock.backward_s[layers[i]]);
      }
  }
  r.median_ms = median(r.run_ms);
  r.min_ms = *std::min_element(r.run_ms.begin(), r.run_ms.end());
  r.max_ms = *std::max_element(r.run_ms.begin(), r.run_ms.end());
  r.images_per_s = r.median_ms > 0 ? 1000.0 * double(o.batch) / r.median_ms : 0.0;
  const double flops = 2.0 * double(r.macs_per_image) * double(o.batch) * (o.train ? 3.0 : 1.0);
  r.gflops = r.median_ms > 0 ? flops / (r.median_ms * 1e6) : 0.0;
  r.peak_rss_mb = peak_rss_mb();
  if (o.layers)
    for (size_t i = 0; i < layers.size(); ++i)
      r.layers.push_back({.name = layers[i]->name(), .type = layers[i]->type(),
                          .forward_ms = median(fwd[i]), .backward_ms = median(bwd[i]),
                          .macs = layers[i]->macs()});
  return r;
}

std::string format_benchmark(const BenchmarkResult& r) {
  std::ostringstream os;
  char line[256];
  os << r.model << " " << (r.train ? "training step" : "inference") << ", input "
     << r.input_shape.str() << ", batch " << r.batch << ", " << r.threads << " thread"
     << (r.threads == 1 ? "" : "s") << ", " << r.run_ms.size() << " runs\n";
  std::snprintf(line, sizeof line,
                "ms per batch: median %.3f  min %.3f  max %.3f\nimages/s: %.1f\nGFLOP/s: %.2f "
                "(%.2f MMAC per image)\npeak RSS: %.1f MiB\n",
                r.median_ms, r.min_ms, r.max_ms, r.images_per_s, r.gflops,
                double(r.macs_per_image) * 1e-6, r.peak_rss_mb);
  os << line;
  if (r.layers.empty()) return os.str();
  std::snprintf(line, sizeof line, "\n%-28s %-20s %11s %11s %7s %9s\n", "Layer", "Type",
                "forward ms", "backward ms", "share", "GFLOP/s");
  os << line;
  double total = 0.0;
  for (const LayerTiming& l : r.layers) total += l.forward_ms + l.backward_ms;
  for (const LayerTiming& l : r.layers) {
    const double ms = l.forward_ms + l.backward_ms;
    const double flops = 2.0 * double(l.macs) * double(r.batch) * (r.train ? 3.0 : 1.0);
    std::snprintf(line, sizeof line, "%-28.28s %-20.20s %11.3f %11.3f %6.1f%% %9.2f\n",
                  l.name.c_str(), l.type.c_str(), l.forward_ms, l.backward_ms,
                  total > 0 ? 100.0 * ms / total : 0.0, ms > 0 ? flops / (ms * 1e6) : 0.0);
    os << line;
  }
  return os.str();
}

std::string benchmark_to_json(const BenchmarkResult& r) {
  nlohmann::ordered_json j;
  j["model"] = r.model;
  j["input"] = r.input_shape.str();
  j["batch"] = r.batch;
  j["train"] = r.train;
  j["threads"] = r.threads;
  j["ms_per_batch"] = {{"median", r.median_ms}, {"min", r.min_ms}, {"max", r.max_ms}};
  j["images_per_s"] = r.images_per_s;
  j["gflops"] = r.gflops;
  j["macs_per_image"] = r.macs_per_image;
  j["peak_rss_mb"] = r.peak_rss_mb;
  j["runs"] = r.run_ms;
  j["layers"] = nlohmann::ordered_json::array();
  for (const LayerTiming& l : r.layers)
    j["layers"].push_back({{"name", l.name}, {"type", l.type}, {"forward_ms", l.forward_ms},
                           {"backward_ms", l.backward_ms}, {"macs", l.macs}});
  return j.dump(2);
}

}  // namespace convnet
