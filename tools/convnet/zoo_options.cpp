#include "zoo_options.h"

#include "common.h"

namespace convnet::cli {
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
