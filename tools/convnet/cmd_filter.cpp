// convnet filter: a classic kernel (Sobel, Laplacian, Gaussian, ...) applied to an image with
// convnet's own convolution, written as a PNG scaled for display (see convnet/vision/filters.h).
#include <iostream>

#include "commands.h"
#include "convnet/data/images.h"
#include "convnet/vision/filters.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string image, kernel, out, padding = "same", display = "auto";
  int64_t stride = 1;
  bool grey = false;
};

DisplayScale display_scale(const std::string& name) {
  if (name == "brightness") return DisplayScale::brightness;
  if (name == "centered") return DisplayScale::centered;
  if (name == "magnitude") return DisplayScale::magnitude;
  return DisplayScale::automatic;
}

void run_filter(const Args& a) {
  const Tensor image = read_image(a.image, {.channels = a.grey ? 1 : 0});
  const Tensor out = apply_filter(image, a.kernel,
                                  {.stride = a.stride,
                                   .padding = Padding::mode_from_name(a.padding),
                                   .display = display_scale(a.display)});
  write_png(a.out, out);
  std::cout << a.kernel << ": " << a.image << " " << image.shape().str() << " -> " << a.out << " "
            << out.shape().str() << "\n";
}

}  // namespace

void add_filter(CLI::App& app) {
  auto* cmd = app.add_subcommand("filter", "Apply a classic convolution kernel to an image");
  auto a = std::make_shared<Args>();
  cmd->add_option("image", a->image, "Image file (PNG, JPEG, BMP)")->required();
  cmd->add_option("--kernel", a->kernel,
                  "sobel-x | sobel-y | sobel | laplacian | sharpen | box[:N] | "
                  "gaussian[:N[:SIGMA]] | FILE.txt")
      ->required();
  cmd->add_option("--stride", a->stride, "Stride")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--padding", a->padding, "same | valid")
      ->capture_default_str()
      ->check(CLI::IsMember({"same", "valid"}));
  cmd->add_option("--display", a->display,
                  "auto | brightness (response / kernel sum) | centered (0.5 + x / 2 max|x|) | "
                  "magnitude (|x| / max|x|)")
      ->capture_default_str()
      ->check(CLI::IsMember({"auto", "brightness", "centered", "magnitude"}));
  cmd->add_flag("--grey", a->grey, "Convert the image to grey first");
  cmd->add_option("-o,--output", a->out, "Output PNG")->required();
  cmd->callback([a] { run_filter(*a); });
}

}  // namespace convnet::cli
