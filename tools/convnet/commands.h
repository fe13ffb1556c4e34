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
void add_import(CLI::App& app);
void add_export(CLI::App& app);
void add_filter(CLI::App& app);
void add_show_filters(CLI::App& app);
void add_show_features(CLI::App& app);
void add_receptive_field(CLI::App& app);
void add_report(CLI::App& app);
void add_benchmark(CLI::App& app);
void add_embed(CLI::App& app);
void add_search(CLI::App& app);
void add_denoise(CLI::App& app);
void add_upscale(CLI::App& app);
void add_make_shapes(CLI::App& app);
void add_segment(CLI::App& app);
void add_make_digits(CLI::App& app);

inline std::vector<std::function<void(CLI::App&)>> commands() {
  return {add_summary,     add_train,     add_eval,          add_predict,
          add_import,      add_export,    add_filter,        add_show_filters,
          add_show_features, add_receptive_field, add_report, add_benchmark,
          add_embed,       add_search,    add_denoise,       add_upscale,
          add_make_shapes, add_segment,   add_make_digits};
}

}  // namespace convnet::cli
