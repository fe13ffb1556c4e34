// convnet show-features: the feature maps of one image at any layer, as an image grid.
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/data/images.h"
#include "convnet/vision/inspect.h"
#include "zoo_options.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string model, image, layer, out;
  int64_t scale = 0;
  ZooArgs zoo;
};

void run_show_features(const Args& a) {
  auto model = open_model(a.model, a.zoo.resolve());
  const Shape in = model->input_shape();
  if (in.rank() != 3)
    throw std::invalid_argument("model '" + a.model + "' takes " + in.str() +
                                ", not images [C, H, W]");
  // The image as the model sees it: its channels, resized to its input.
  const Tensor image = read_image(a.image, {.channels = in[0], .height = in[1], .width = in[2]});
  const Tensor grid = feature_grid(*model, image, a.layer, {.scale = a.scale});
  write_png(a.out, grid);
  std::cout << a.layer << " (" << model->layer(a.layer).type() << ") output "
            << model->layer(a.layer).built_output_shape().str() << " for " << a.image
            << "; drawn to " << a.out << " " << grid.shape().str() << "\n";
}

}  // namespace

void add_show_features(CLI::App& app) {
  auto* cmd = app.add_subcommand("show-features", "Draw the feature maps of an image at a layer");
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->model, "Model file or zoo name")->required();
  cmd->add_option("image", a->image, "Image file (PNG, JPEG, BMP), resized to the model's input")
      ->required();
  cmd->add_option("--layer", a->layer, "Layer name (see convnet summary)")->required();
  cmd->add_option("--scale", a->scale, "Pixels per unit (default: tiles of about 64 px)");
  cmd->add_option("-o,--output", a->out, "Output PNG")->required();
  add_zoo_options(*cmd, a->zoo);
  cmd->callback([a] { run_show_features(*a); });
}

}  // namespace convnet::cli
