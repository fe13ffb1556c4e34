// convnet segment: the per-pixel classes a segmentation model gives one image, as a colour map
// (PASCAL VOC palette), optionally laid over the image; the share of each class is printed.
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/checkpoint.h"
#include "convnet/data.h"
#include "convnet/io/model_file.h"
#include "convnet/vision/segmentation.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string model, image, out;
  bool overlay = false;
};

void run_segment(const Args& a) {
  auto [model, names] = open_model_with_class_names(a.model);
  const Tensor image = read_image(a.image, {.channels = model->input_shape()[0]});
  const Tensor mask = segment(*model, image);
  Tensor picture = colorize_mask(mask);
  if (a.overlay) {
    const int64_t plane = mask.numel();
    for (int64_t c = 0; c < 3; ++c)
      for (int64_t p = 0; p < plane; ++p) {
        const float v = image[(image.dim(0) == 1 ? 0 : c) * plane + p];
        picture[c * plane + p] = 0.5f * v + 0.5f * picture[c * plane + p];
      }
  }
  write_png(a.out, picture);
  const int64_t classes = model->output_shape()[0];
  std::vector<int64_t> count(static_cast<size_t>(classes), 0);
  for (float k : mask) ++count[size_t(k)];
  std::cout << a.image << " -> " << a.out << "\n";
  for (int64_t c = 0; c < classes; ++c)
    std::cout << "  class " << c << (size_t(c) < names.size() ? " (" + names[size_t(c)] + ")" : "")
              << ": " << std::fixed << std::setprecision(1)
              << 100.0 * double(count[size_t(c)]) / double(mask.numel()) << "% of pixels\n";
}

}  // namespace

void add_segment(CLI::App& app) {
  auto* cmd = app.add_subcommand("segment", "Per-pixel classes of an image, as a colour map");
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->model, "Model file (trained with --task segmentation)")->required();
  cmd->add_option("image", a->image, "Image (PNG, JPEG, BMP)")->required();
  cmd->add_option("-o,--out", a->out, "Output PNG")->required();
  cmd->add_flag("--overlay", a->overlay, "Blend the colour map with the image");
  cmd->callback([a] { run_segment(*a); });
}

}  // namespace convnet::cli
