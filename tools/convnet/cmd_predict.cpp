// convnet predict: class scores for image files (top K printed) or for a whole .npy array.
#include <algorithm>
#include <iomanip>
#include <iostream>
#include <numeric>

#include "commands.h"
#include "common.h"
#include "convnet/checkpoint.h"
#include "convnet/data.h"
#include "convnet/io/model_file.h"
#include "convnet/io/npy.h"
#include "convnet/train.h"

namespace convnet::cli {
namespace {

struct Args {
  std::string model, input, output;
  std::vector<std::string> images;
  int64_t top = 5, batch_size = 256;
};

void print_top(const std::string& label, const float* scores, int64_t classes, int64_t k,
               const std::vector<std::string>& names) {
  std::vector<int64_t> order(static_cast<size_t>(classes));
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, classes);
  std::partial_sort(order.begin(), order.begin() + k, order.end(),
                    [&](int64_t a, int64_t b) { return scores[a] > scores[b]; });
  std::cout << label << "\n";
  for (int64_t i = 0; i < k; ++i)
    std::cout << "  " << std::setw(3) << order[size_t(i)] << "  " << std::fixed
              << std::setprecision(4) << scores[order[size_t(i)]]
              << (size_t(order[size_t(i)]) < names.size() ? "  " + names[size_t(order[size_t(i)])] : "")
              << "\n";
}

void run_predict(const Args& a) {
  auto [model, names] = open_model_with_class_names(a.model);
  if (!a.input.empty()) {
    if (a.output.empty()) throw std::invalid_argument("--input needs --output");
    Tensor x = io::read_npy(a.input);
    const Shape want = model->input_shape();
    if (x.rank() == want.rank()) x = x.reshape(want.with_batch(1));
    io::write_npy(a.output, model->predict(x, a.batch_size));
    return;
  }
  if (a.images.empty()) throw std::invalid_argument("give image files or --input x.npy --output y.npy");
  const Shape in = model->input_shape();
  for (const std::string& path : a.images) {
    const Tensor img = read_image(path, {.channels = in[0], .height = in[1], .width = in[2]});
    const Tensor y = model->predict(img.reshape(in.with_batch(1)));
    print_top(path, y.data(), y.numel(), a.top, names);
  }
}

}  // namespace

void add_predict(CLI::App& app) {
  auto* cmd = app.add_subcommand("predict", "Run a model on images or on a .npy array");
  auto a = std::make_shared<Args>();
  cmd->add_option("--model", a->model, "Model file or zoo name")->required();
  cmd->add_option("images", a->images, "Image files (PNG, JPEG, BMP)");
  cmd->add_option("--input", a->input, "Input array [N, C, H, W] (.npy)");
  cmd->add_option("--output", a->output, "Output array (.npy), written atomically");
  cmd->add_option("--top", a->top, "Classes to print per image")->capture_default_str();
  cmd->add_option("--batch-size", a->batch_size, "Images per forward pass")->capture_default_str();
  cmd->callback([a] { run_predict(*a); });
}

}  // namespace convnet::cli
