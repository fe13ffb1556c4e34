// convnet denoise: an autoencoder's output for one image. With --noise or --salt-pepper the image
// is taken as clean, corrupted first, and the PSNRs of the noisy and the denoised image printed.
#include <array>
#include <iomanip>
#include <iostream>

#include "commands.h"
#include "common.h"
#include "convnet/data.h"
#include "convnet/transfer.h"
#include "convnet/vision/metrics.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string model, image, out, noisy_out;
  float noise = 0.0f, salt_pepper = 0.0f;
  uint64_t seed = 1;
};

Tensor clamped(Tensor t) {
  for (float& v : t) v = std::clamp(v, 0.f, 1.f);
  return t;
}

void run_denoise(const Args& a) {
  auto model = open_model(a.model);
  const Shape in = model->input_shape();
  if (!(model->output_shape() == in))
    throw std::invalid_argument(a.model + " maps " + in.str() + " to " +
                                model->output_shape().str() + ", not an image to an image");
  const Augmentation noise{
      .gaussian_noise = a.noise, .salt_pepper = a.salt_pepper, .clip_noise = true};
  // The clean image, its noisy copy (the input) and the model's output for it.
  const auto denoise = [&](const Tensor& clean) {
    Tensor input = clean.clone();
    if (noise.corrupts()) {
      Tensor batch = input.reshape(input.shape().with_batch(1));
      Rng rng(a.seed);
      corrupt(batch, noise, rng);
    }
    return std::array<Tensor, 3>{clean, input, clamped(forward_any_size(*model, input))};
  };
  // A fully convolutional autoencoder runs at the image's own size; one that cannot (a Dense
  // layer inside) gets the image resized to its input.
  std::array<Tensor, 3> images;
  try {
    images = denoise(read_image(a.image, {.channels = in[0]}));
  } catch (const std::invalid_argument&) {
    if (in.rank() != 3) throw;
    std::cerr << "note: " << a.model << " takes " << in.str() << " only; the image is resized\n";
    images = denoise(read_image(a.image, {.channels = in[0], .height = in[1], .width = in[2]}));
  }
  const auto& [clean, input, output] = images;
  if (noise.corrupts() && !a.noisy_out.empty()) write_png(a.noisy_out, input);
  write_png(a.out, output);
  std::cout << std::fixed << std::setprecision(2);
  if (noise.corrupts())
    std::cout << "noisy PSNR: " << psnr(input, clean)
              << " dB\ndenoised PSNR: " << psnr(output, clean) << " dB\n";
  else
    std::cout << "PSNR of the output against the input: " << psnr(output, clean) << " dB\n";
}

}  // namespace

void add_denoise(CLI::App& app) {
  auto* cmd = app.add_subcommand("denoise", "Run an autoencoder (denoising or plain) on an image");
  auto a = std::make_shared<Args>();
  cmd->add_option("model", a->model, "Model file (an autoencoder)")->required();
  cmd->add_option("image", a->image,
                  "Image (PNG, JPEG, BMP), any size for a fully convolutional model")
      ->required();
  cmd->add_option("-o,--out", a->out, "Output PNG")->required();
  cmd->add_option("--noise", a->noise, "Add Gaussian noise of this stddev first");
  cmd->add_option("--salt-pepper", a->salt_pepper, "Set this fraction of pixels to 0 or 1 first");
  cmd->add_option("--noisy-out", a->noisy_out, "Write the noisy image too");
  cmd->add_option("--seed", a->seed, "Seed of the noise")->capture_default_str();
  cmd->callback([a] { run_denoise(*a); });
}

}  // namespace convnet::cli
