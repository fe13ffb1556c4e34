// convnet benchmark MODEL [--input CxHxW] [--batch B] [--train] [--threads T] [--json] [--layers]:
// milliseconds per batch (median, min, max after warm-up), images/s, GFLOP/s and peak memory of
// inference or of a training step; --layers adds a per-layer timing table.
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/benchmark.h"
#include "convnet/threads.h"
#include "zoo_options.h"

namespace convnet::cli {

void add_benchmark(CLI::App& app) {
  auto* cmd = app.add_subcommand("benchmark", "Time inference or a training step of a model");
  struct Args {
    std::string model;
    ZooArgs zoo;
    BenchmarkOptions bench;
    int threads = 0;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("model", args->model, "Model file (.safetensors) or zoo model name")->required();
  add_zoo_options(*cmd, args->zoo);
  cmd->add_option("--batch", args->bench.batch, "Images per batch")->check(CLI::PositiveNumber);
  cmd->add_flag("--train", args->bench.train,
                "Time a training step (forward, backward, SGD update) instead of inference");
  cmd->add_option("--threads", args->threads,
                  "Threads (default: CONVNET_NUM_THREADS, else all cores)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--warmup", args->bench.warmup, "Untimed runs first")->check(CLI::NonNegativeNumber);
  cmd->add_option("--runs", args->bench.min_runs, "Least number of timed runs")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--min-time", args->bench.min_seconds, "Least seconds of timed runs")
      ->check(CLI::NonNegativeNumber);
  cmd->add_flag("--layers", args->bench.layers, "Add a per-layer timing table");
  cmd->add_flag("--json", args->json, "Print JSON instead of text");
  cmd->callback([args] {
    if (args->threads > 0) set_num_threads(args->threads);
    auto model = open_model(args->model, args->zoo.resolve());
    const BenchmarkResult r = run_benchmark(*model, args->bench);
    std::cout << (args->json ? benchmark_to_json(r) + "\n" : format_benchmark(r));
  });
}

}  // namespace convnet::cli
