// convnet: the command-line tool. A table of subcommands, one cmd_<name>.cpp each; every error is
// one line on stderr and a non-zero exit code.
#include <CLI/CLI.hpp>
#include <exception>
#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"convnet: convolutional neural networks for visual recognition"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "convnet 0.1.0");
  for (const auto& add : convnet::cli::commands()) add(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::cerr << "convnet: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
