// convnet make-shapes: writes the synthetic shapes segmentation data set (vision/shapes.h) as a
// segmentation folder (vision/segmentation.h), with preview.png: the first images over their masks,
// enlarged to about 128 pixels.
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "convnet/data.h"
#include "convnet/vision/segmentation.h"
#include "convnet/vision/shapes.h"
#include "tiles.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string dir;
  int64_t train = 2000, test = 500, size = 32, max_shapes = 3;
  float noise = 0.03f;
  uint64_t seed = 1;
};

void run_make_shapes(const Args& a) {
  ShapesOptions o{.count = a.train,
                  .size = a.size,
                  .max_shapes = a.max_shapes,
                  .noise = a.noise,
                  .seed = a.seed};
  DataSplits splits;
  splits.train = make_shapes(o);
  if (a.test > 0) {
    o.count = a.test;
    o.seed = a.seed + 0x5eed;  // test images drawn apart from the training ones
    splits.test = make_shapes(o);
  }
  save_segmentation_folder(a.dir, splits);

  const int64_t shown = std::min<int64_t>(8, a.train), plane = a.size * a.size;
  std::vector<Tensor> tiles;
  for (int64_t i = 0; i < shown; ++i)
    tiles.push_back(Tensor::from({3, a.size, a.size}, splits.train.images.data() + i * 3 * plane));
  for (int64_t i = 0; i < shown; ++i)
    tiles.push_back(
        colorize_mask(Tensor::from({a.size, a.size}, splits.train.targets.data() + i * plane)));
  const std::string preview = (std::filesystem::path(a.dir) / "preview.png").string();
  write_png(preview, tile_images(tiles, shown, std::max<int64_t>(1, 128 / a.size)));
  std::cout << "wrote " << a.train << " training and " << a.test << " test images of " << a.size
            << "x" << a.size << " with masks (classes:";
  for (const std::string& c : shape_class_names()) std::cout << " " << c;
  std::cout << ") to " << a.dir << "; preview: " << preview << "\n";
}

}  // namespace

void add_make_shapes(CLI::App& app) {
  auto* cmd = app.add_subcommand("make-shapes", "Generate the synthetic shapes segmentation set");
  auto a = std::make_shared<Args>();
  cmd->add_option("dir", a->dir, "Output folder")->required();
  cmd->add_option("--train", a->train, "Training images")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--test", a->test, "Test images")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--size", a->size, "Height and width")
      ->capture_default_str()
      ->check(CLI::Range(16, 1024));
  cmd->add_option("--max-shapes", a->max_shapes, "Shapes per image, at most")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--noise", a->noise, "Stddev of the pixel noise")->capture_default_str();
  cmd->add_option("--seed", a->seed, "Random seed")->capture_default_str();
  cmd->callback([a] { run_make_shapes(*a); });
}

}  // namespace convnet::cli
