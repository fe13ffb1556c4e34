// The subcommands of the convnet tool. Each cmd_<name>.cpp defines one register function that adds
// its subcommand (options and callback) to the app; commands() lists them all.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace convnet::cli {

void add_summary(CLI::App& app);
void add_train(CLI::App& app);
void add_eval(CLI::App& app);
void add_predict(CLI::App& app);
void add_benchmark(CLI::App& app);

inline std::vector<std::function<void(CLI::App&)>> commands() {
  return {add_summary, add_train, add_eval, add_predict, add_benchmark};
}

}  // namespace convnet::cli
