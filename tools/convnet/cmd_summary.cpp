// convnet summary MODEL [--input CxHxW] [--classes N] [--alpha A] [--no-top] [--json]: the layers,
// output shapes, parameter counts, MACs and receptive fields of a zoo model or a model file.
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/io/summary_json.h"
#include "convnet/zoo.h"
#include "zoo_options.h"

namespace convnet::cli {

void add_summary(CLI::App& app) {
  auto* cmd = app.add_subcommand("summary", "Print a model's layers, output shapes and parameters");
  struct Args {
    std::string model;
    ZooArgs zoo;
    bool json = false;
  };
  auto args = std::make_shared<Args>();
  std::string names;
  for (const auto& n : zoo::model_names()) names += (names.empty() ? "" : ", ") + n;
  cmd->add_option("model", args->model, "Model file (.safetensors) or zoo model name: " + names)
      ->required();
  add_zoo_options(*cmd, args->zoo);
  cmd->add_flag("--json", args->json, "Print JSON instead of a table");
  cmd->callback([args] {
    auto model = open_model(args->model, args->zoo.resolve());
    const ModelSummary s = model->summary_info();
    std::cout << (args->json ? io::summary_to_json(s) + "\n" : format_summary(s));
  });
}

}  // namespace convnet::cli
