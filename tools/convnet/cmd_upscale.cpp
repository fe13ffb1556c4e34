// convnet upscale: enlarge an image with a super-resolution model (SRCNN on the luminance). With
// --psnr the image is taken as the high-resolution truth: it is downscaled first, and the PSNRs of
// bicubic enlargement and of the model against it are printed.
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/data.h"
#include "convnet/vision/image_ops.h"
#include "convnet/vision/metrics.h"
#include "convnet/vision/super_resolution.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string model, image, out, bicubic_out;
  int64_t scale = 2;
  bool psnr = false;
};

void run_upscale(const Args& a) {
  auto model = open_model(a.model);
  Tensor image = read_image(a.image);
  if (image.dim(0) == 4)
    throw std::invalid_argument(a.image + ": images with alpha are not supported");
  Tensor truth;
  if (a.psnr) {
    truth = image;
    image = downscale_for_super_resolution(image, a.scale);
    // The rows and columns past the last whole block, which the downscale dropped, go too.
    truth = crop(truth, 0, 0, image.dim(1) * a.scale, image.dim(2) * a.scale);
  }
  const Tensor sr = upscale(model.get(), image, a.scale);
  write_png(a.out, sr);
  const Tensor bicubic = upscale(nullptr, image, a.scale);
  if (!a.bicubic_out.empty()) write_png(a.bicubic_out, bicubic);
  std::cout << a.image << ": " << image.dim(2) << "x" << image.dim(1) << " -> " << sr.dim(2) << "x"
            << sr.dim(1) << " (" << a.out << ")\n";
  if (a.psnr) {
    const Tensor y = luminance(truth);
    std::cout << std::fixed << std::setprecision(2)
              << "bicubic PSNR (luminance): " << psnr(luminance(bicubic), y) << " dB\n"
              << "model PSNR (luminance): " << psnr(luminance(sr), y) << " dB\n";
  }
}

}  // namespace

void add_upscale(CLI::App& app) {
  auto* cmd = app.add_subcommand("upscale", "Enlarge an image with a super-resolution model");
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->model, "Model file (trained with --task super-resolution)")
      ->required();
  cmd->add_option("image", a->image, "Image (PNG, JPEG, BMP), grey or RGB")->required();
  cmd->add_option("-o,--out", a->out, "Output PNG")->required();
  cmd->add_option("--scale", a->scale, "Enlargement factor")
      ->capture_default_str()
      ->check(CLI::Range(2, 8));
  cmd->add_option("--bicubic-out", a->bicubic_out, "Write the plain bicubic enlargement too");
  cmd->add_flag("--psnr", a->psnr,
                "Treat the image as the truth: downscale it first, report PSNR vs bicubic");
  cmd->callback([a] { run_upscale(*a); });
}

}  // namespace convnet::cli
