// convnet make-digits: writes the synthetic printed-digits set (vision/digits.h) as an image
// folder, DIR/train/<digit>/*.png and DIR/test/<digit>/*.png, which `convnet train --data DIR`
// reads, with preview.png: the first training images, enlarged four times.
#include <filesystem>
#include <iostream>

#include "commands.h"
#include "convnet/data.h"
#include "convnet/vision/digits.h"
#include "tiles.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string dir;
  DigitsOptions digits{.count = 10000, .seed = 1};
  int64_t test = 2000;
};

void run_make_digits(const Args& a) {
  DigitsOptions o = a.digits;
  const Dataset train = make_digits(o);
  save_image_folder((std::filesystem::path(a.dir) / "train").string(), train);
  if (a.test > 0) {
    o.count = a.test;
    o.seed = a.digits.seed + 0x5eed;  // test images drawn apart from the training ones
    save_image_folder((std::filesystem::path(a.dir) / "test").string(), make_digits(o));
  }
  const int64_t S = o.size;
  std::vector<Tensor> tiles;
  for (int64_t i = 0; i < std::min<int64_t>(40, train.size()); ++i)
    tiles.push_back(Tensor::from({1, S, S}, train.images.data() + i * S * S));
  const std::string preview = (std::filesystem::path(a.dir) / "preview.png").string();
  write_png(preview, tile_images(tiles, 10, 4));
  std::cout << "wrote " << train.size() << " training and " << a.test << " test images of " << S
            << "x" << S << " (digits 0-9) to " << a.dir << "; preview: " << preview << "\n";
}

}  // namespace

void add_make_digits(CLI::App& app) {
  auto* cmd = app.add_subcommand("make-digits", "Generate the synthetic printed-digits data set");
  auto a = std::make_shared<Args>();
  cmd->add_option("dir", a->dir, "Output folder")->required();
  cmd->add_option("--train", a->digits.count, "Training images")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--test", a->test, "Test images")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--size", a->digits.size, "Height and width")
      ->capture_default_str()
      ->check(CLI::Range(12, 1024));
  cmd->add_option("--rotation", a->digits.max_rotation, "Largest rotation in degrees")
      ->capture_default_str();
  cmd->add_option("--invert", a->digits.invert, "Fraction of dark digits on a light background")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--noise", a->digits.noise, "Largest stddev of the pixel noise")
      ->capture_default_str();
  cmd->add_option("--fonts", a->digits.font_dir, "Folder of the DejaVu TrueType fonts")
      ->capture_default_str();
  cmd->add_option("--seed", a->digits.seed, "Random seed")->capture_default_str();
  cmd->callback([a] { run_make_digits(*a); });
}

}  // namespace convnet::cli
