// The options every subcommand that builds a zoo model shares: --input CxHxW, --classes N,
// --alpha A, --no-top and --seed S, parsed into zoo::ZooOptions.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "convnet/zoo.h"

namespace convnet::cli {

struct ZooArgs {
  std::string input;  // "3x120x120"; empty: the model's default
  zoo::ZooOptions options;
  bool no_top = false;

  // The options with --input parsed; throws std::invalid_argument for a malformed shape.
  zoo::ZooOptions resolve() const;
};

void add_zoo_options(CLI::App& cmd, ZooArgs& args);

}  // namespace convnet::cli
