#include "zoo_options.h"

#include <stdexcept>

namespace convnet::cli {
namespace {

// "3x120x120" -> [3, 120, 120]
Shape parse_shape(const std::string& text) {
  std::vector<int64_t> dims;
  size_t pos = 0;
  while (pos <= text.size()) {
    const size_t end = std::min(text.find('x', pos), text.size());
    const std::string part = text.substr(pos, end - pos);
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos)
      throw std::invalid_argument("--input '" + text + "': expected sizes like 3x120x120");
    dims.push_back(std::stoll(part));
    pos = end + 1;
  }
  return Shape(std::move(dims));
}

}  // namespace

zoo::ZooOptions ZooArgs::resolve() const {
  zoo::ZooOptions o = options;
  if (!input.empty()) o.input_shape = parse_shape(input);
  o.include_top = !no_top;
  return o;
}

void add_zoo_options(CLI::App& cmd, ZooArgs& args) {
  cmd.add_option("--input", args.input, "Input shape CxHxW (default: the model's own)");
  cmd.add_option("--classes", args.options.classes, "Number of classes (default: the model's own)")
      ->check(CLI::PositiveNumber);
  cmd.add_option("--alpha", args.options.alpha, "Width multiplier (MobileNet)")
      ->check(CLI::PositiveNumber);
  cmd.add_flag("--no-top", args.no_top, "The convolutional base only (Keras' include_top=False)");
  cmd.add_option("--seed", args.options.seed, "Initialization seed");
}

}  // namespace convnet::cli
