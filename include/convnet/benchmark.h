// Benchmark: how fast a model runs inference or a training step (`convnet benchmark`).
//
//   auto model = zoo::vgg(zoo::VggConfig::D);
//   BenchmarkResult r = run_benchmark(*model, {.batch = 1});
//   std::cout << format_benchmark(r);
//
// Inputs are seeded random images; a training step (train = true) is forward, softmax
// cross-entropy on random labels, backward and an SGD-momentum update, exactly as fit() runs it.
// Times are wall-clock milliseconds per batch over the timed runs after the warm-up.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "convnet/model.h"

namespace convnet {

struct BenchmarkOptions {
  int64_t batch = 1;
  bool train = false;         // time a full training step instead of an eval-mode forward
  int64_t warmup = 2;         // untimed runs first (workspaces, caches, page faults)
  int64_t min_runs = 5;       // timed runs: at least this many ...
  double min_seconds = 1.0;   // ... and until this much time has passed ...
  int64_t max_runs = 10000;   // ... but never more than this
  bool layers = false;        // also time each layer (medians over the timed runs)
  uint64_t seed = 0;          // of the random inputs and labels
};

struct LayerTiming {
  std::string name, type;
  double forward_ms = 0.0, backward_ms = 0.0;  // per batch, median over the runs
  int64_t macs = 0;                            // per image
};

struct BenchmarkResult {
  std::string model;
  Shape input_shape;  // one image
  int64_t batch = 1;
  bool train = false;
  int threads = 1;
  std::vector<double> run_ms;  // every timed run, in order
  double median_ms = 0.0, min_ms = 0.0, max_ms = 0.0;
  double images_per_s = 0.0;   // from the median
  // Multiply-adds per image of a forward pass (Model::summary_info); GFLOP/s counts 2 FLOPs per
  // multiply-add, and three passes' worth (forward, backward-data, backward-weights) in training.
  int64_t macs_per_image = 0;
  double gflops = 0.0;
  double peak_rss_mb = 0.0;    // the process's peak resident memory so far
  std::vector<LayerTiming> layers;
};

// Runs the benchmark; throws std::invalid_argument for a batch < 1 or, in training, a model whose
// output is not class scores [N, C].
BenchmarkResult run_benchmark(Model& model, const BenchmarkOptions& options);

// A human-readable report (with the per-layer table when timed), and the JSON one:
// {"model", "input", "batch", "train", "threads", "ms_per_batch": {"median", "min", "max"},
//  "images_per_s", "gflops", "macs_per_image", "peak_rss_mb", "runs", "layers": [...]}.
std::string format_benchmark(const BenchmarkResult& result);
std::string benchmark_to_json(const BenchmarkResult& result);

// Peak resident set size of this process in MiB (getrusage).
double peak_rss_mb();

}  // namespace convnet
