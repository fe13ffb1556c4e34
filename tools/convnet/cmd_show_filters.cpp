// convnet show-filters: a convolution layer's kernels (by default the first one's) as an image
// grid, the lecture's "convolution kernels learned by a neural network".
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/data/images.h"
#include "convnet/vision/inspect.h"
#include "zoo_options.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string model, layer, out;
  int64_t scale = 0;
  ZooArgs zoo;
};

void run_show_filters(const Args& a) {
  auto model = open_model(a.model, a.zoo.resolve());
  const Layer& layer = conv_layer(*model, a.layer);
  const Tensor grid = filter_grid(*model, layer.name(), {.scale = a.scale});
  write_png(a.out, grid);
  std::cout << layer.name() << " (" << layer.type() << "): " << layer.input_shape().str() << " -> "
            << layer.built_output_shape().str() << "; kernels drawn to " << a.out << " "
            << grid.shape().str() << "\n";
}

}  // namespace

void add_show_filters(CLI::App& app) {
  auto* cmd = app.add_subcommand("show-filters", "Draw a convolution layer's kernels as a grid");
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->model, "Model file or zoo name")->required();
  cmd->add_option("--layer", a->layer, "Layer name (default: the first convolution)");
  cmd->add_option("--scale", a->scale, "Pixels per kernel tap (default: tiles of about 64 px)");
  cmd->add_option("-o,--output", a->out, "Output PNG")->required();
  add_zoo_options(*cmd, a->zoo);
  cmd->callback([a] { run_show_filters(*a); });
}

}  // namespace convnet::cli
