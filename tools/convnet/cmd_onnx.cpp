// convnet import MODEL.onnx -o MODEL.safetensors: an ONNX model as a convnet model file.
// convnet export MODEL -o MODEL.onnx [--opset 13]: a model file (or zoo model) as ONNX.
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/io/model_file.h"
#include "convnet/io/onnx.h"

namespace convnet::cli {

void add_import(CLI::App& app) {
  auto* cmd = app.add_subcommand("import", "Convert an ONNX model into a convnet model file");
  struct Args {
    std::string in, out;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->in, "ONNX model (.onnx)")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", a->out, "Model file to write (.safetensors)")->required();
  cmd->callback([a] {
    auto model = io::import_onnx(a->in);
    io::save_model(*model, a->out);
    std::cout << "imported " << model->layers().size() << " layers, " << model->count_params()
              << " parameters into " << a->out << "\n";
  });
}

void add_export(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Write a model as an ONNX file");
  struct Args {
    std::string in, out;
    int opset = 13;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->in, "Model file (.safetensors, .onnx) or zoo model name")->required();
  cmd->add_option("-o,--output", a->out, "ONNX file to write (.onnx)")->required();
  cmd->add_option("--opset", a->opset, "ONNX opset")->capture_default_str()->check(CLI::Range(9, 17));
  cmd->callback([a] {
    auto model = open_model(a->in);
    io::export_onnx(*model, a->out, {.opset = a->opset});
    std::cout << "exported " << model->layers().size() << " layers to " << a->out << " (opset "
              << a->opset << ")\n";
  });
}

}  // namespace convnet::cli
