// convnet summary MODEL [--json]: the layers, output shapes and parameter counts of a zoo model or
// of a model file.
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "convnet/io/model_file.h"
#include "convnet/io/summary_json.h"
#include "convnet/zoo.h"

namespace convnet::cli {

void add_summary(CLI::App& app) {
  auto* cmd = app.add_subcommand("summary", "Print a model's layers, output shapes and parameters");
  struct Args {
    std::string model;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  cmd->add_option("model", args->model,
                  "Model file (.safetensors) or zoo model name (lenet5, lenet-lecture, ...)")
      ->required();
  cmd->add_flag("--json", args->json, "Print JSON instead of a table");
  cmd->callback([args] {
    const bool is_file =
        args->model.ends_with(".safetensors") || std::filesystem::exists(args->model);
    auto model = is_file ? io::load_model(args->model).model : zoo::make_model(args->model);
    const ModelSummary s = model->summary_info();
    std::cout << (args->json ? io::summary_to_json(s) + "\n" : format_summary(s));
  });
}

}  // namespace convnet::cli
